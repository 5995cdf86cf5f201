"""`python -m workbook.sandbox.taskservice --fd N`: the task API plus its Celery worker (launcher entry).

The worker is a child process (prefork pool, concurrency 2 as the real `worker_concurrency`,
consuming the real service's four queues under its real name) started before the API serves; it
dies with this process (PDEATHSIG) and is stopped when it stops.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from .._process import die_with_parent
from .._serving import serve_on_fd
from ._api import create_app
from ._config import QUEUES, ServiceConfig
from ._switches import MirroredSwitches

WORKER_STOP_S = 5.0


def start_worker(config: ServiceConfig) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable, "-m", "celery", "-A", "workbook.sandbox.taskservice._worker:app", "worker",
        "--hostname", config.worker, "--queues", ",".join(QUEUES), "--pool", "prefork", "--concurrency", "2",
        "--without-gossip", "--without-mingle", "--loglevel", "INFO",
    ]  # fmt: skip
    return subprocess.Popen(argv, preexec_fn=die_with_parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.taskservice", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket for the API")
    args = parser.parse_args(argv)
    config = ServiceConfig.from_env()
    config.home.mkdir(parents=True, exist_ok=True)
    switches = MirroredSwitches(config.switches_file)  # written before the worker starts reading it
    worker = start_worker(config)
    try:
        serve_on_fd(create_app(config, switches), args.fd)
    finally:
        worker.terminate()
        try:
            worker.wait(WORKER_STOP_S)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
