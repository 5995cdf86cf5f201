"""The studio's in-memory state: its model-loading phase, the job table and the busy uploads.

ORFEAS keeps job status in a dict (`job_progress`) whose entries are replaced wholesale as a job
moves on; `active_jobs` holds the upload ids whose 3D generation is running (a repeat gets 409).
"""

from __future__ import annotations

import threading
import time
from typing import Any


class Boot:
    """Models "load" for `boot_s` after (re)start; generate-3d answers 503 and /ready 503 meanwhile.

    `restart()` (the admin endpoint) re-enters that phase on the same socket, so a notebook can time
    "start -> first working request" without restarting the process.
    """

    def __init__(self, boot_s: float) -> None:
        self.boot_s = boot_s
        self._started = time.monotonic()

    def restart(self) -> None:
        self._started = time.monotonic()

    @property
    def loaded(self) -> bool:
        return time.monotonic() - self._started >= self.boot_s

    @property
    def uptime_s(self) -> float:
        return time.monotonic() - self._started


class Jobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: dict[str, dict[str, Any]] = {}
        self._active: set[str] = set()

    def set(self, job_id: str, status: dict[str, Any]) -> None:
        with self._lock:
            self._status[job_id] = dict(status)

    def update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._status.setdefault(job_id, {}).update(changes)

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            status = self._status.get(job_id)
            return dict(status) if status is not None else None

    def claim(self, job_id: str) -> bool:
        """Mark an upload's 3D generation as running; False if it already is (ORFEAS's 409)."""
        with self._lock:
            if job_id in self._active:
                return False
            self._active.add(job_id)
            return True

    def release(self, job_id: str) -> None:
        with self._lock:
            self._active.discard(job_id)

    @property
    def active(self) -> int:
        with self._lock:
            return len(self._active)
