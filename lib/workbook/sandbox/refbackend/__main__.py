"""`python -m workbook.sandbox.refbackend --port N`: run the reference backend on 127.0.0.1."""

from __future__ import annotations

import argparse

import uvicorn

from ._app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
