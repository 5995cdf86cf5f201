"""Latency per request of the soak: a server that hangs shows as a cliff up to the timeout line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._soak import Series

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_soak(series: Sequence[Series], timeout_s: float) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4.5))
    axes = figure.add_subplot()
    timeout_ms = timeout_s * 1000
    for item in series:
        if not item.samples:
            continue
        xs = [sample.index for sample in item.samples]
        ys = [sample.latency_s * 1000 for sample in item.samples]
        (line,) = axes.plot(xs, ys, marker=".", linewidth=1, label=f"{item.endpoint} ({item.mode})")
        failed = [s for s in item.samples if s.outcome in ("stall", "reset", "error")]
        if failed:
            axes.scatter(
                [s.index for s in failed],
                [max(s.latency_s * 1000, 0.01) for s in failed],
                marker="x",
                s=60,
                color="red",
                zorder=3,
            )
            first = failed[0].index
            axes.axvline(first, color=line.get_color(), linestyle=":", linewidth=1)
    axes.axhline(timeout_ms, color="red", linestyle="--", linewidth=1, label=f"timeout {timeout_s:g} s")
    axes.set_yscale("log")
    axes.set_xlabel("request number in the series")
    axes.set_ylabel("latency (ms, log)")
    axes.set_title("Sequential soak: latency per request (x = stalled or reset)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure
