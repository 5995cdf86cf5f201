"""Switches shared with worker processes: the API process owns them (the fault-switch HTTP contract)
and mirrors every change into a JSON file; Celery workers read that file, re-reading it when it
changes, so one running sandbox serves a whole fault matrix without restarting its workers."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ._process import die_with_parent


def write_json(path: Path, values: Mapping[str, Any]) -> None:
    """Atomically, so a worker never reads half a file."""
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(dict(values)))
    os.replace(partial, path)


class Mirror:
    """Mixed into a `FaultSwitches` (before it): every change is also written to `mirror_path`."""

    mirror_path: Path | None = None

    def update(self, changes: Mapping[str, Any]) -> None:
        super().update(changes)  # type: ignore[misc]
        self.mirror()

    def clear(self) -> None:
        super().clear()  # type: ignore[misc]
        self.mirror()

    def mirror(self) -> None:
        if self.mirror_path is not None:  # None while the base class sets its initial switches
            write_json(self.mirror_path, self.snapshot()["faults"])  # type: ignore[attr-defined]


class FileValues:
    """A worker's read-only view of a mirrored file (re-read when it changes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: int | None = None
        self._values: dict[str, Any] = {}

    def current(self) -> dict[str, Any]:
        with contextlib.suppress(FileNotFoundError, ValueError):
            stamp = self.path.stat().st_mtime_ns
            if stamp != self._stamp:
                self._values = dict(json.loads(self.path.read_text() or "{}"))
                self._stamp = stamp
            return dict(self._values)
        return {}

    def on(self, name: str) -> bool:
        return name in self.current()

    def value(self, name: str, default: Any = None) -> Any:
        return self.current().get(name, default)


def start_celery_worker(app: str, hostname: str, queues: Sequence[str], concurrency: int) -> subprocess.Popen[bytes]:
    """A real Celery worker for a stand-in, tied to the stand-in's process (it dies with its parent)."""
    argv = [
        sys.executable, "-m", "celery", "-A", app, "worker",
        "--hostname", hostname, "--queues", ",".join(queues), "--pool", "prefork", "--concurrency", str(concurrency),
        "--without-gossip", "--without-mingle", "--loglevel", "INFO",
    ]  # fmt: skip
    return subprocess.Popen(argv, preexec_fn=die_with_parent)


def stop_processes(processes: Iterable[subprocess.Popen[bytes]], timeout_s: float = 5.0) -> None:
    """SIGTERM each, then wait; SIGKILL what is still running after `timeout_s`."""
    running = list(processes)
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
