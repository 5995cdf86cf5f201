"""The task service's defect switches, each caught by a named check of notebook 50.

The API process owns the switches (fault-switch HTTP contract) and mirrors them into a JSON file
in the service's state dir; worker processes read that file, so one running sandbox serves the
whole fault matrix without restarting workers.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._faults import FaultSwitches

# switch -> (check of notebook 50 that must catch it, what goes wrong)
FAULTS: dict[str, tuple[str, str]] = {
    "ack_early": ("chaos_worker_kill", "tasks are acknowledged before they run (acks_late off): lost on worker kill"),
    "drop_progress": ("lifecycle", "every third progress event is never published (a sequence gap)"),
    "reorder_progress": ("lifecycle", "progress events are published out of order"),
    "no_terminal_event": ("lifecycle", "no SUCCESS/FAILURE event is published when a task ends"),
    "ready_always_pass": ("readiness", "/health/ready answers pass whatever Redis and the workers do"),
    "no_retry_on_503": ("upstream_retry", "an upstream 503 fails the task at once instead of retrying"),
    "ignore_retry_after": ("upstream_retry", "a 429 is retried after a fixed 50 ms, ignoring Retry-After"),
    "leave_temp_files": ("temp_cleanup", "a task's temp folder is left behind when it ends"),
    "corrupt_result": ("lifecycle", "the result file differs from the bytes whose sha256 the final event reports"),
    "no_resubscribe": ("chaos_redis_restart", "the WebSocket relay does not resubscribe after Redis drops it"),
}


def faults(initial: Mapping[str, Any]) -> FaultSwitches:
    return FaultSwitches(FAULTS, initial)


class MirroredSwitches(FaultSwitches):
    """The API's switches: every change is written atomically to `path` for the workers."""

    def __init__(self, path: Path, initial: Mapping[str, Any] | None = None) -> None:
        self.path = path
        super().__init__(FAULTS, initial)

    def update(self, changes: Mapping[str, Any]) -> None:
        super().update(changes)
        self._write()

    def clear(self) -> None:
        super().clear()
        self._write()

    def _write(self) -> None:
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(self.snapshot()["faults"]))
        os.replace(partial, self.path)


class FileSwitches:
    """A worker's read-only view of the switches (re-read when the file changes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._values: dict[str, Any] = {}

    def on(self, name: str) -> bool:
        return name in self._current()

    def _current(self) -> dict[str, Any]:
        with contextlib.suppress(FileNotFoundError):
            stamp = self.path.stat().st_mtime_ns
            if stamp != self._stamp:
                self._values = dict(json.loads(self.path.read_text() or "{}"))
                self._stamp = stamp
            return self._values
        return {}
