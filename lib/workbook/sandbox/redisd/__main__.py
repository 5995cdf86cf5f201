"""`python -m workbook.sandbox.redisd --port P --admin-fd N --dir D`: supervise redis-server (launcher entry)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .._serving import serve_on_fd
from ._service import PASSWORD_ENV
from ._supervisor import RedisProcess, create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.redisd", description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="Redis port on 127.0.0.1")
    parser.add_argument("--admin-fd", type=int, required=True, help="inherited listening socket for the admin API")
    parser.add_argument("--dir", type=Path, required=True, help="data dir (config, dump.rdb)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s redisd %(message)s")
    password = os.environ.get(PASSWORD_ENV, "")  # empty: no requirepass, as the platform ships Redis
    redis_process = RedisProcess(port=args.port, password=password, data_dir=args.dir)
    redis_process.start()
    try:
        serve_on_fd(create_app(redis_process), args.admin_fd)
    finally:
        redis_process.stop(save=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
