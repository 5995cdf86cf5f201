"""`python -m workbook.sandbox.studio --fd N --upload-dir D`: serve the studio on an inherited socket."""

from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
from pathlib import Path

import uvicorn

from .._faults import FaultSwitches, time_scale_from_env
from ._app import create_app
from ._switches import StudioFaults


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.studio", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="listening socket inherited from the launcher")
    parser.add_argument("--upload-dir", type=Path, required=True, help="where uploads are written")
    parser.add_argument("--boot-s", type=float, default=1.0, help="seconds before the routes work")
    parser.add_argument("--max-upload-bytes", type=int, default=8 * 1024 * 1024, help="413 above this")
    parser.add_argument("--cors-origins", default="[]", help="JSON list of origins CORS allows")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    app = create_app(
        StudioFaults(FaultSwitches.from_env()),
        upload_dir=args.upload_dir,
        boot_s=args.boot_s,
        max_upload_bytes=args.max_upload_bytes,
        cors_origins=list(json.loads(args.cors_origins)),
        time_scale=time_scale_from_env(),
    )
    # Not `uvicorn --fd`: uvicorn wraps the fd as an AF_UNIX socket, so asyncio never sets TCP_NODELAY
    # on accepted connections and every keep-alive response waits ~40 ms for a delayed ACK (measured:
    # p50 45 ms on one connection vs 2.5 ms on fresh ones). socket(fileno=) reads the real family.
    sock = socket.socket(fileno=args.fd)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_keep_alive=30))
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
