"""`python -m workbook.sandbox.faultproxy --api-fd N --config FILE`: run the fault proxy (launcher entry)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .._serving import serve_on_fd
from ._api import create_app
from ._proxy import ProxyCollection


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.faultproxy", description=__doc__)
    parser.add_argument("--api-fd", type=int, required=True, help="inherited listening socket for the HTTP API")
    parser.add_argument("--config", type=Path, help="JSON array of proxies to create at start (Toxiproxy -config)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    initial = json.loads(args.config.read_text()) if args.config else []
    serve_on_fd(create_app(ProxyCollection(), initial), args.api_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
