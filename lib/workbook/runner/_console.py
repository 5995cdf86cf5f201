"""What a headless run shows on the console: the kernel's `[progress]` and `[check]` lines."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..credentials import redact
from ..notebook import PREFIX as PROGRESS_PREFIX

_FORWARDED = (PROGRESS_PREFIX, "[check]", "[setup]")


class KernelStdout:
    """A file-like sink for papermill's `stdout_file`: forwards marked lines, drops the rest."""

    def __init__(self, notebook: str, secrets: frozenset[str], emit: Callable[[str], None]) -> None:
        self._notebook = notebook
        self._secrets = secrets
        self._emit = emit
        self._partial = ""

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._forward(line)
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self._forward(self._partial)
            self._partial = ""

    def _forward(self, line: str) -> None:
        if line.startswith(_FORWARDED):
            self._emit(f"  {self._notebook}: {redact(line, self._secrets)}")


class Heartbeat:
    """Prints "still running" every `every_s` seconds, so a long silent cell never looks like a hang."""

    def __init__(self, notebook: str, emit: Callable[[str], None], every_s: float = 30.0) -> None:
        self._notebook = notebook
        self._emit = emit
        self._every_s = every_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{notebook}", daemon=True)

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _beat(self) -> None:
        while not self._stopped.wait(self._every_s):
            self._emit(f"  {self._notebook}: still running ({time.monotonic() - self._started:.0f} s)")
