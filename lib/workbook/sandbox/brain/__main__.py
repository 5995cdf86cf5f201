"""`python -m workbook.sandbox.brain --fd N --admin-fd M`: run the brain stand-in (launcher entry)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys

from .._faults import FaultSwitches, time_scale_from_env
from ._embeddings import CHOICES, load_embedder
from ._options import OptionsHolder
from ._protocol import BrainApp
from ._server import run
from ._service import API_KEY_ENV
from ._switches import BrainFaults


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.brain", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="main port: HTTP, WebSocket / and /mcp")
    parser.add_argument("--admin-fd", type=int, required=True, help="listening socket for admin HTTP (faults, stats)")
    parser.add_argument(
        "--embeddings",
        choices=CHOICES,
        default=None,
        help="override WORKBOOK_BRAIN_EMBEDDINGS (default auto)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    faults = BrainFaults(FaultSwitches.from_env())
    api_key = os.environ.get(API_KEY_ENV, "")
    if not api_key:
        parser.error(f"{API_KEY_ENV} must hold the REST API key (the launcher generates one)")
    # Load the embedder before listening, so "ready" means ready to embed.
    app = BrainApp(
        load_embedder(args.embeddings, faults=faults),
        faults,
        options=OptionsHolder.from_env(),
        time_scale=time_scale_from_env(),
        api_key=api_key,
    )
    sock, admin_sock = socket.socket(fileno=args.fd), socket.socket(fileno=args.admin_fd)
    asyncio.run(run(app, sock=sock, admin_sock=admin_sock))
    return 0


if __name__ == "__main__":
    sys.exit(main())
