"""How a run's notebooks are scheduled: one after another in this process, or as Dask tasks.

A schedule takes the run's jobs and yields each one's finished entry as it completes, in any
order; the runner records them. It never raises for a notebook's failure. On Ctrl-C the schedule
stops its work (cancels tasks, closes a cluster it started) and the KeyboardInterrupt reaches the
runner, which stops the sandbox and seals the bundle as always.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..evidence import NotebookEntry
from ..params import NotebookPlan
from ._execute import Executor, KernelContext


@dataclass(frozen=True)
class Job:
    """One notebook entry to run: where its evidence goes and what its kernel is told."""

    index: int
    plan: NotebookPlan
    out_dir: Path
    context: KernelContext


class Schedule(Protocol):
    def __call__(self, jobs: Sequence[Job], execute: Executor) -> Iterator[tuple[Job, NotebookEntry]]: ...


def sequential(jobs: Sequence[Job], execute: Executor) -> Iterator[tuple[Job, NotebookEntry]]:
    """Each notebook in order in this process; stops after an interrupted one."""
    for job in jobs:
        job.context.emit(f"▶ {job.plan.name} started")
        try:
            entry = execute(job.plan, job.out_dir, job.context)
        except KeyboardInterrupt:
            entry = interrupted_entry(job)
        yield job, entry
        if entry.status == "interrupted":
            raise KeyboardInterrupt


def interrupted_entry(job: Job) -> NotebookEntry:
    return NotebookEntry(
        name=job.plan.name,
        notebook=job.plan.notebook,
        matrix=dict(job.plan.matrix),
        status="interrupted",
        reason="run interrupted while this notebook ran",
    )


ScheduleFactory = Callable[[], Schedule]
