"""`python -m workbook.sandbox.characters --fd N --database F --brain-ws-url U` (launcher entry)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._faults import FaultSwitches
from .._serving import serve_on_fd
from ._app import create_app
from ._db import CharacterDb
from ._switches import faults


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.characters", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket")
    parser.add_argument("--database", type=Path, required=True, help="SQLite file")
    parser.add_argument("--brain-ws-url", required=True, help="MCP endpoint of the brain")
    args = parser.parse_args(argv)
    serve_on_fd(create_app(CharacterDb(args.database), args.brain_ws_url, faults(FaultSwitches.from_env())), args.fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
