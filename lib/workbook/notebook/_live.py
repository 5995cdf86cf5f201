"""Where lib code shows progress and check outcomes: widgets in JupyterLab, flushed lines headless.

Headless runs print `[progress]` / `[check]` lines that the runner forwards to the console. In a
kernel a person drives, those lines are noise: `workbook.interactive_params` turns widgets on for
such a kernel (interactive, not run by the runner, no values injected by papermill), and then
`Progress` shows a bar, `log` a live status box per cell, and each check its row as it finishes.
Everything here only displays; no value computed here flows back into a check.
"""

from __future__ import annotations

import html
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol

from ..credentials import redact, seen_secrets
from ..runtime import is_managed_run

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


# The namespace key under which `interactive_params` leaves its binding for `params_form`.
BINDING_KEY = "__workbook_binding__"
LOG_LINES_SHOWN = 20

_state = {"widgets": False}
_lock = threading.Lock()
_log_boxes: dict[int, tuple[Any, list[str]]] = {}


class Binding(Protocol):
    """What `params_form` needs from the binding `interactive_params` made: new values on a profile switch."""

    def subscribe(self, listener: Callable[[Mapping[str, Any]], None]) -> None: ...


def enable_widgets(on: bool) -> None:
    _state["widgets"] = on


def widgets_enabled() -> bool:
    """True when progress and check rows should be widgets: turned on, in a kernel, not a runner's kernel."""
    return _state["widgets"] and in_kernel() and not is_managed_run()


def in_kernel() -> bool:
    """True inside an IPython kernel (JupyterLab or papermill), False in a plain interpreter or pytest."""
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class ProgressBar:
    """The widget form of `workbook.Progress`: a bar (or a counter when the total is unknown)."""

    def __init__(self, label: str, total: int | None, *, min_refresh_s: float = 0.25) -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self.label = label
        self.total = total
        self._min_refresh_s = min_refresh_s
        self._last = 0.0
        self._bar = (
            widgets.IntProgress(value=0, min=0, max=max(total, 1), description=label, bar_style="info")
            if total is not None
            else None
        )
        self._text = widgets.HTML(value=self._line(0, 0.0, "started"))
        box = widgets.HBox([self._bar, self._text] if self._bar is not None else [self._text])
        box.add_class("workbook-progress")
        display(box)

    def update(self, done: int, elapsed_s: float, note: str = "") -> None:
        now = time.monotonic()
        if now - self._last < self._min_refresh_s:
            return  # a widget message per step would flood the frontend
        self._last = now
        self._show(done, elapsed_s, note)

    def finish(self, done: int, elapsed_s: float, *, failed: bool) -> None:
        if self._bar is not None:
            self._bar.bar_style = "danger" if failed else "success"
        self._show(done, elapsed_s, "failed" if failed else "finished")

    def _show(self, done: int, elapsed_s: float, note: str) -> None:
        if self._bar is not None:
            self._bar.value = min(done, self._bar.max)
        self._text.value = self._line(done, elapsed_s, note)

    def _line(self, done: int, elapsed_s: float, note: str) -> str:
        count = f"{done}/{self.total}" if self.total is not None else str(done)
        text = f"{count} · {elapsed_s:.1f} s {note}".strip()
        return html.escape(redact(text if self._bar is not None else f"{self.label} {text}", seen_secrets()))


def show_log(message: str) -> None:
    """Append `message` to the status box of the cell running now (one box per cell, last lines shown)."""
    import ipywidgets as widgets
    from IPython import get_ipython
    from IPython.display import display

    cell = int(getattr(get_ipython(), "execution_count", 0) or 0)
    line = f"{time.strftime('%H:%M:%S')} {redact(message, seen_secrets())}"
    with _lock:
        if cell not in _log_boxes:
            box = widgets.HTML()
            box.add_class("workbook-log")
            _log_boxes.clear()  # only the running cell's box is ever updated again
            _log_boxes[cell] = (box, [])
            display(box)
        box, lines = _log_boxes[cell]
        lines.append(line)
        shown = "<br>".join(html.escape(text) for text in lines[-LOG_LINES_SHOWN:])
        box.value = f"<div style='font-family: monospace; font-size: 90%'>{shown}</div>"
