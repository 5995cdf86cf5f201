"""`python -m workbook.sandbox.studio --fd N --state-dir D`: serve the studio on an inherited socket."""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys
from pathlib import Path

import uvicorn

from .._faults import FaultSwitches, time_scale_from_env
from ._app import create_app
from ._switches import API_KEY_ENV, StudioFaults, StudioOptions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.studio", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="listening socket inherited from the launcher")
    parser.add_argument("--state-dir", type=Path, required=True, help="ORFEAS's backend folder: uploads/, outputs/")
    parser.add_argument("--boot-s", type=float, default=1.0, help="seconds the models take to load")
    parser.add_argument("--cors-origins", default="[]", help="JSON list of origins CORS allows (CORS_ORIGINS)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    app = create_app(
        StudioFaults(FaultSwitches.from_env()),
        StudioOptions(),
        state_dir=args.state_dir,
        boot_s=args.boot_s,
        cors_origins=list(json.loads(args.cors_origins)),
        time_scale=time_scale_from_env(),
        api_key=os.environ.get(API_KEY_ENV, ""),
    )
    # Not `uvicorn --fd`: uvicorn wraps the fd as an AF_UNIX socket, so asyncio never sets TCP_NODELAY
    # on accepted connections and every keep-alive response waits ~40 ms for a delayed ACK (measured:
    # p50 45 ms on one connection vs 2.5 ms on fresh ones). socket(fileno=) reads the real family.
    sock = socket.socket(fileno=args.fd)
    config = uvicorn.Config(app, log_level="warning", timeout_keep_alive=30, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
