"""The studio's in-memory state: its boot phase and its jobs."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field


class Boot:
    """Routes work only `boot_s` after (re)start, as a server that loads its models after it listens.

    `restart()` (the admin endpoint) re-enters that phase on the same socket, so a notebook can
    time "start -> first working request" without the launcher restarting the process.
    """

    def __init__(self, boot_s: float) -> None:
        self.boot_s = boot_s
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._first_request_pending = True

    def restart(self) -> None:
        with self._lock:
            self._started = time.monotonic()
            self._first_request_pending = True

    @property
    def warm(self) -> bool:
        return time.monotonic() - self._started >= self.boot_s

    @property
    def uptime_s(self) -> float:
        return time.monotonic() - self._started

    def take_first_request(self) -> bool:
        """True exactly once per start: for the first API request served after warm-up."""
        with self._lock:
            first, self._first_request_pending = self._first_request_pending, False
            return first


@dataclass
class Job:
    job_id: str
    kind: str  # "image" (upload or text-to-image) or "mesh"
    data: bytes
    media_type: str
    ready_at: float = field(default_factory=time.monotonic)
    file_format: str | None = None
    quality: int | None = None
    source_job_id: str | None = None
    filename: str | None = None
    created_at: float = field(default_factory=time.time)

    @property
    def status(self) -> str:
        return "completed" if time.monotonic() >= self.ready_at else "processing"


class Jobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._fixed_id = uuid.uuid4().hex

    def new_id(self, *, repeated: bool = False) -> str:
        return self._fixed_id if repeated else uuid.uuid4().hex

    def put(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.job_id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)
