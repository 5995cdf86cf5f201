"""Showing job progress: a live ipywidgets table when interactive, flushed log lines headless."""

from __future__ import annotations

import html
import threading
import time
from typing import Any

from ..notebook import log

Snapshot = list[dict[str, Any]]


class ProgressView:
    """Pass as `on_update`; it never blocks the run and never records checks."""

    def __init__(self, interactive: bool, *, every_s: float = 30.0, min_refresh_s: float = 0.2) -> None:
        self.interactive = interactive
        self.every_s = every_s
        self.min_refresh_s = min_refresh_s
        self._lock = threading.Lock()
        self._last_phase: dict[str, tuple[str, str, str]] = {}
        self._last_summary = float("-inf")
        self._last_summary_text = ""
        self._last_refresh = 0.0
        self._widget: Any = None
        if interactive:
            import ipywidgets
            from IPython.display import display

            self._widget = ipywidgets.HTML(value="<i>waiting for the first job…</i>")
            display(self._widget)

    def __call__(self, snapshot: Snapshot) -> None:
        with self._lock:
            now = time.monotonic()
            if self._widget is not None:
                if now - self._last_refresh >= self.min_refresh_s or _all_done(snapshot):
                    self._last_refresh = now
                    self._widget.value = _html_table(snapshot)
                return
            for row in snapshot:
                state = (row["phase"], row["progress"], row["reason"])
                if self._last_phase.get(row["job"]) != state:
                    self._last_phase[row["job"]] = state
                    words = ["midjourney", row["job"], row["phase"], row["progress"]]
                    line = " ".join(word for word in words if word)
                    log(line + (f" — {row['reason']}" if row["reason"] else ""))
            phases: dict[str, int] = {}
            for row in snapshot:
                phases[row["phase"]] = phases.get(row["phase"], 0) + 1
            summary = "midjourney jobs: " + ", ".join(f"{n} {p}" for p, n in sorted(phases.items()))
            if summary != self._last_summary_text or now - self._last_summary >= self.every_s:
                self._last_summary, self._last_summary_text = now, summary
                log(summary)


def _all_done(snapshot: Snapshot) -> bool:
    return all(row["phase"] in ("stored", "failed") for row in snapshot)


def _html_table(snapshot: Snapshot) -> str:
    if not snapshot:
        return "<i>no jobs</i>"
    columns = list(snapshot[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in columns) + "</tr>" for row in snapshot
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
