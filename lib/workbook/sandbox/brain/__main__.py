"""`python -m workbook.sandbox.brain --port P --admin-port A`: run the brain stand-in (launcher entry)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from .._faults import FaultSwitches
from ._embeddings import CHOICES, load_embedder
from ._options import OptionsHolder
from ._protocol import BrainApp
from ._server import run
from ._switches import BrainFaults


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.brain", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1"], help="loopback only")
    parser.add_argument("--port", type=int, required=True, help="WebSocket (MCP) and /health port")
    parser.add_argument("--admin-port", type=int, required=True, help="admin HTTP port (faults, stats)")
    parser.add_argument(
        "--embeddings",
        choices=CHOICES,
        default=None,
        help="override WORKBOOK_BRAIN_EMBEDDINGS (default auto)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    faults = BrainFaults(FaultSwitches.from_env())
    # Load the embedder before listening, so "ready" means ready to embed.
    app = BrainApp(load_embedder(args.embeddings, faults=faults), faults, options=OptionsHolder.from_env())
    asyncio.run(run(app, host=args.host, port=args.port, admin_port=args.admin_port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
