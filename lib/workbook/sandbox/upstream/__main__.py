"""`python -m workbook.sandbox.upstream --fd N`: run the mock external API (launcher entry)."""

from __future__ import annotations

import argparse
import sys

from .._serving import serve_on_fd
from ._app import create_app
from ._switches import AnswerSwitches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.upstream", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket")
    args = parser.parse_args(argv)
    serve_on_fd(create_app(AnswerSwitches()), args.fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
