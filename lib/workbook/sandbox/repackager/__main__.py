"""`python -m workbook.sandbox.repackager --fd N`: the platform's API plus its Celery workers
(launcher entry). The workers are child processes (prefork, one task at a time each, started as
`celery -A ... worker -n <name>` like the platform's compose files) that die with this process."""

from __future__ import annotations

import argparse
import sys

from .._mirror import start_celery_worker, stop_processes
from .._serving import serve_on_fd
from ._app import create_app
from ._config import QUEUE, Settings
from ._switches import MirroredSwitches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.repackager", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket for the API")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    for folder in (settings.temp_dir, settings.scripts_dir):
        folder.mkdir(parents=True, exist_ok=True)
    switches = MirroredSwitches(settings.switches_file)
    app = "workbook.sandbox.repackager._worker:app"
    workers = [start_celery_worker(app, name, [QUEUE], concurrency=1) for name in settings.workers]
    try:
        serve_on_fd(create_app(settings, switches), args.fd)
    finally:
        stop_processes(workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
