"""`python -m workbook.sandbox.repackager --fd N`: the platform's API plus its Celery workers
(launcher entry). The workers are child processes (prefork, one task at a time each, started as
`celery -A ... worker -n <name>` like the platform's compose files) that die with this process."""

from __future__ import annotations

import argparse
import subprocess
import sys

from .._process import die_with_parent
from .._serving import serve_on_fd
from ._app import create_app
from ._config import QUEUE, Settings
from ._switches import MirroredSwitches

WORKER_STOP_S = 5.0


def start_worker(name: str) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable, "-m", "celery", "-A", "workbook.sandbox.repackager._worker:app", "worker",
        "--hostname", name, "--queues", QUEUE, "--pool", "prefork", "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--loglevel", "INFO",
    ]  # fmt: skip
    return subprocess.Popen(argv, preexec_fn=die_with_parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.repackager", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket for the API")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    for folder in (settings.temp_dir, settings.scripts_dir):
        folder.mkdir(parents=True, exist_ok=True)
    switches = MirroredSwitches(settings.switches_file)
    workers = [start_worker(name) for name in settings.workers]
    try:
        serve_on_fd(create_app(settings, switches), args.fd)
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
