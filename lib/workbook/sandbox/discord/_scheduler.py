"""Job admission and completion ordering: pure logic, no asyncio, no I/O.

`JobScheduler` models Midjourney's per-account limits (3 jobs running, 10 waiting; the 14th is
refused with "Queue full"). `CompletionOrder` implements the `out_of_order` fault: among jobs with
the same normalised prompt, a job may only post its result once every later-submitted one has.
"""

from __future__ import annotations

import enum
from collections import deque


class Admission(enum.Enum):
    RUNNING = "running"
    QUEUED = "queued"
    FULL = "full"


class JobScheduler:
    def __init__(self, concurrency: int = 3, queue_size: int = 10) -> None:
        self.concurrency = concurrency
        self.queue_size = queue_size
        self._running: set[str] = set()
        self._waiting: deque[str] = deque()

    @property
    def running(self) -> frozenset[str]:
        return frozenset(self._running)

    @property
    def waiting(self) -> tuple[str, ...]:
        return tuple(self._waiting)

    def submit(self, job_id: str) -> Admission:
        if len(self._running) < self.concurrency and not self._waiting:
            self._running.add(job_id)
            return Admission.RUNNING
        if len(self._waiting) < self.queue_size:
            self._waiting.append(job_id)
            return Admission.QUEUED
        return Admission.FULL

    def release(self, job_id: str) -> list[str]:
        """`job_id` finished (or was cancelled); returns the waiting jobs that start now."""
        self._running.discard(job_id)
        if job_id in self._waiting:
            self._waiting.remove(job_id)
        started: list[str] = []
        while self._waiting and len(self._running) < self.concurrency:
            next_job = self._waiting.popleft()
            self._running.add(next_job)
            started.append(next_job)
        return started

    def clear(self) -> None:
        self._running.clear()
        self._waiting.clear()


class CompletionOrder:
    """Reverse completion among identical prompts (the `out_of_order` fault)."""

    def __init__(self) -> None:
        self._order: dict[str, list[str]] = {}  # key -> job ids in submission order
        self._done: set[str] = set()

    def register(self, job_id: str, key: str) -> None:
        self._order.setdefault(key, []).append(job_id)

    def submitted(self, key: str) -> int:
        return len(self._order.get(key, []))

    def may_post(self, job_id: str, key: str, group_size: int | None = None) -> bool:
        """True once every later identical job has posted (and, with `group_size`, once that many
        identical jobs were submitted at all)."""
        jobs = self._order.get(key, [])
        if job_id not in jobs:
            return True
        if group_size is not None and len(jobs) < group_size:
            return False
        later = jobs[jobs.index(job_id) + 1 :]
        return all(other in self._done for other in later)

    def mark_done(self, job_id: str) -> None:
        self._done.add(job_id)

    def clear(self) -> None:
        self._order.clear()
        self._done.clear()
