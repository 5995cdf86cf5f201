"""`python -m workbook.sandbox.taskservice --fd N`: the task API plus its Celery worker (launcher entry).

The worker is a child process (prefork pool, concurrency 2 as the real `worker_concurrency`,
consuming the real service's four queues under its real name) started before the API serves; it
dies with this process (PDEATHSIG) and is stopped when it stops.
"""

from __future__ import annotations

import argparse
import sys

from .._mirror import start_celery_worker, stop_processes
from .._serving import serve_on_fd
from ._api import create_app
from ._config import QUEUES, ServiceConfig
from ._switches import MirroredSwitches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.taskservice", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket for the API")
    args = parser.parse_args(argv)
    config = ServiceConfig.from_env()
    config.home.mkdir(parents=True, exist_ok=True)
    switches = MirroredSwitches(config.switches_file)  # written before the worker starts reading it
    worker = start_celery_worker("workbook.sandbox.taskservice._worker:app", config.worker, QUEUES, concurrency=2)
    try:
        serve_on_fd(create_app(config, switches), args.fd)
    finally:
        stop_processes([worker])
    return 0


if __name__ == "__main__":
    sys.exit(main())
