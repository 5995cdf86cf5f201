"""`python -m workbook.sandbox.tasks --fd N`: the task API plus its Celery workers (launcher entry).

The workers are child processes (prefork pool, one task at a time each) started before the API
serves; they die with this process (PDEATHSIG) and are stopped when it stops.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from .._process import die_with_parent
from .._serving import serve_on_fd
from ._api import create_app
from ._config import TasksConfig
from ._switches import MirroredSwitches

WORKER_STOP_S = 5.0


def start_worker(config: TasksConfig, name: str) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable, "-m", "celery", "-A", "workbook.sandbox.tasks._worker:app", "worker",
        "--hostname", name, "--queues", config.queue, "--pool", "prefork", "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--loglevel", "INFO",
    ]  # fmt: skip
    return subprocess.Popen(argv, preexec_fn=die_with_parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.tasks", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket for the API")
    args = parser.parse_args(argv)
    config = TasksConfig.from_env()
    for folder in (config.files_dir, config.temp_dir):
        folder.mkdir(parents=True, exist_ok=True)
    switches = MirroredSwitches(config.switches_file)
    workers = [start_worker(config, name) for name in config.workers]
    try:
        serve_on_fd(create_app(config, switches), args.fd)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(WORKER_STOP_S)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
