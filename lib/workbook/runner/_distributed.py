"""Running notebooks as Dask tasks: a LocalCluster of N worker processes, or an existing scheduler.

Each task runs one notebook in its own kernel on a worker (one thread per worker, so one notebook
per worker process at a time), in a temporary folder of the worker's, and returns the notebook's
entry plus every file it produced; the runner writes them into the bundle exactly as a sequential
run would. Notebooks that declare themselves exclusive run alone, after the others. Console lines
travel from workers to the runner as Dask events (`log_event`/`subscribe_topic`), already
redacted on the worker.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..evidence import NotebookEntry
from ..runtime import EVIDENCE_DIR_ENV, dask_client, worker_addresses
from ._execute import Executor
from ._schedule import Job, interrupted_entry

CONSOLE_TOPIC = "workbook-console"


@dataclass(frozen=True)
class DaskSchedule:
    """`workers` local processes (a LocalCluster on 127.0.0.1), or `scheduler` (tcp://HOST:8786)."""

    workers: int = 2
    scheduler: str | None = None

    def __call__(self, jobs: Sequence[Job], execute: Executor) -> Iterator[tuple[Job, NotebookEntry]]:
        from distributed import as_completed

        if not jobs:
            return
        emit = jobs[0].context.emit
        with dask_client(workers=self.workers, scheduler=self.scheduler) as client:
            futures: list[Any] = []
            by_key: dict[Any, Job] = {}
            try:
                client.subscribe_topic(CONSOLE_TOPIC, lambda event: emit(str(event[1])))
                local = "" if self.scheduler else " (local)"
                emit(f"dask: {len(worker_addresses(client))} worker(s) at {client.scheduler.address}{local}")
                shared = [job for job in jobs if not job.plan.exclusive]
                alone = [job for job in jobs if job.plan.exclusive]
                for job in shared:
                    future = client.submit(run_job, _portable(job), execute, key=f"notebook-{job.index}", pure=False)
                    futures.append(future)
                    by_key[future.key] = job
                for future in as_completed(futures):
                    yield by_key[future.key], _unpack(by_key[future.key], future.result())
                for job in alone:
                    emit(f"dask: {job.plan.name} is exclusive: running it alone")
                    future = client.submit(run_job, _portable(job), execute, key=f"notebook-{job.index}", pure=False)
                    futures.append(future)
                    by_key[future.key] = job
                    yield job, _unpack(job, future.result())
            except KeyboardInterrupt:
                unfinished = [by_key[future.key] for future in futures if not future.done()]
                client.cancel(futures, force=True)
                for job in unfinished:
                    yield job, interrupted_entry(job)
                raise


def run_job(job: Job, execute: Executor) -> tuple[NotebookEntry, dict[str, bytes]]:
    """The task: run one notebook into a temporary folder on the worker; return its entry and files."""
    from distributed import get_worker

    worker = get_worker()

    def emit(line: str) -> None:
        worker.log_event(CONSOLE_TOPIC, line)

    emit(f"▶ {job.plan.name} started on {worker.address}")
    with tempfile.TemporaryDirectory(prefix="workbook-task-") as folder:
        out_dir = Path(folder) / job.plan.name
        out_dir.mkdir()
        context = replace(job.context, env={**job.context.env, EVIDENCE_DIR_ENV: str(out_dir)}, emit=emit)
        entry = execute(job.plan, out_dir, context)
        files = {
            path.relative_to(out_dir).as_posix(): path.read_bytes()
            for path in sorted(out_dir.rglob("*"))
            if path.is_file() and not path.is_symlink()
        }
    return entry, files


def _portable(job: Job) -> Job:
    """What travels to a worker: no callables of this process (the worker supplies its own emit)."""
    return replace(job, context=replace(job.context, emit=print))


def _unpack(job: Job, result: tuple[NotebookEntry, dict[str, bytes]]) -> NotebookEntry:
    entry, files = result
    for relative, data in files.items():
        target = job.out_dir / relative
        if job.out_dir.resolve() not in target.resolve().parents:
            continue  # a task may only write inside its own notebook folder
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return entry
