"""The report's pictures: check outcomes per notebook, and one trend per key figure.

Drawn with matplotlib's object API (no pyplot, no GUI backend) straight to PNG files in the
bundle's `report/` folder, so the index shows them in any browser.
"""

from __future__ import annotations

import re
from pathlib import Path

from ._history import History, Trend
from ._summary import RunSummary

COLOURS = {"pass": "#3a9d4a", "fail": "#d0473f", "error": "#8e1b16", "skip": "#b9b9b9"}
MAX_TRENDS = 24


def plot_outcomes(summary: RunSummary, results_counts: dict[str, dict[str, int]], target: Path) -> Path:
    """Horizontal stacked bars: checks passed / failed / errored / skipped per notebook."""
    from matplotlib.figure import Figure

    names = summary.notebooks
    figure = Figure(figsize=(8, 0.45 * max(len(names), 2) + 1.0))
    axes = figure.add_subplot()
    left = [0.0] * len(names)
    for status in ("pass", "fail", "error", "skip"):
        widths = [results_counts.get(name, {}).get(status, 0) for name in names]
        axes.barh(names, widths, left=left, color=COLOURS[status], label=status)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel("checks")
    axes.legend(loc="lower right", ncols=4, fontsize=8, frameon=False)
    axes.set_title(f"Check outcomes — {summary.verdict}")
    figure.tight_layout()
    return _save(figure, target)


def plot_trends(history: History, folder: Path) -> list[tuple[Trend, Path]]:
    """One small line chart per key figure across the runs of the history window."""
    from matplotlib.figure import Figure

    drawn = []
    for index, trend in enumerate(history.trends[:MAX_TRENDS]):
        figure = Figure(figsize=(4.2, 2.4))
        axes = figure.add_subplot()
        positions = [history.runs.index(run) for run, _ in trend.points if run in history.runs]
        values = [value for run, value in trend.points if run in history.runs]
        axes.plot(positions, values, marker="o", color="#2f6db5")
        if positions:
            axes.plot(positions[-1:], values[-1:], marker="o", color="#d0473f", markersize=8)
        axes.set_xticks(range(len(history.runs)), [str(i + 1) for i in range(len(history.runs))], fontsize=7)
        axes.set_xlabel("run (oldest → newest)", fontsize=7)
        axes.set_title(f"{trend.notebook}/{trend.check}: {trend.name}", fontsize=8)
        axes.tick_params(labelsize=7)
        figure.tight_layout()
        drawn.append((trend, _save(figure, folder / f"trend_{index:02d}_{_slug(trend.name)}.png")))
    return drawn


def _save(figure: object, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=90)  # type: ignore[attr-defined]
    return target


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:40] or "figure"
