"""Progress lines that survive headless runs, and widgets when a person watches in JupyterLab.

Headless (papermill) a widget bar is invisible, so long cells print one flushed line every
`every_s` seconds; the runner forwards lines starting with `[progress]` to the console. In a lab
kernel bound by `workbook.interactive_params` the same calls show a bar / a status box instead.
"""

from __future__ import annotations

import time
from types import TracebackType

from ._live import ProgressBar, show_log, widgets_enabled

PREFIX = "[progress]"


class Progress:
    """`with Progress("presign", total=1000) as p: ... p.advance()` prints at most one line per interval."""

    def __init__(self, label: str, total: int | None = None, *, every_s: float = 5.0) -> None:
        self.label = label
        self.total = total
        self.every_s = every_s
        self.done = 0
        self._started = time.monotonic()
        self._last_print = self._started
        self._bar: ProgressBar | None = None

    def __enter__(self) -> Progress:
        if widgets_enabled():
            self._bar = ProgressBar(self.label, self.total)
        else:
            self._print("started")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.finish(self.done, self._elapsed(), failed=exc_type is not None)
        else:
            self._print("failed" if exc_type else "finished")

    def advance(self, step: int = 1, note: str = "") -> None:
        self.done += step
        if self._bar is not None:
            self._bar.update(self.done, self._elapsed(), note)
            return
        now = time.monotonic()
        if now - self._last_print >= self.every_s:
            self._last_print = now
            self._print(note)

    def _elapsed(self) -> float:
        return time.monotonic() - self._started

    def _print(self, note: str) -> None:
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        print(f"{PREFIX} {self.label} {count} {self._elapsed():.1f}s {note}".rstrip(), flush=True)


def log(message: str) -> None:
    """One flushed progress line, shown on the console during headless runs (a status box in the lab)."""
    if widgets_enabled():
        show_log(message)
        return
    print(f"{PREFIX} {message}", flush=True)
