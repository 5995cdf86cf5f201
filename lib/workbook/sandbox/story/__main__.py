"""`python -m workbook.sandbox.story --fd N --brain-ws-url U --characters-url C` (launcher entry)."""

from __future__ import annotations

import argparse
import sys

from .._faults import FaultSwitches
from .._serving import serve_on_fd
from ._app import create_app
from ._switches import faults


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.story", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket")
    parser.add_argument("--brain-ws-url", required=True, help="MCP endpoint of the brain")
    parser.add_argument("--characters-url", required=True, help="base URL of the character service")
    args = parser.parse_args(argv)
    serve_on_fd(create_app(args.brain_ws_url, args.characters_url, faults(FaultSwitches.from_env())), args.fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
