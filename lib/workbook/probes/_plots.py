"""Figures the perf notebook shows and stores as evidence: latency histogram, per-second
timeline, throughput against concurrency. Built on `matplotlib.figure.Figure` (no pyplot
global state), saved as PNG; client-bound runs are drawn hollow and labelled.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from ..timing import histogram_bins
from ._result import ProbeResult


def plot_latency_histogram(results: Sequence[ProbeResult], *, title: str = "Latency distribution") -> Figure:
    """Request counts on log-spaced latency bins (ms, log x), one step line per run."""
    figure = Figure(figsize=(8, 4), layout="constrained")
    axes = figure.add_subplot()
    for result in results:
        if result.histogram is None:
            continue
        bins = histogram_bins(result.histogram)
        if not bins:
            continue
        edges = [low * 1e3 for low, _, _ in bins] + [bins[-1][1] * 1e3]
        counts = [count for _, _, count in bins]
        label = _label(result)
        axes.stairs(counts, edges, label=label, linestyle="--" if result.client_bound else "-")
    axes.set_xscale("log")
    axes.set_xlabel("latency (ms)" + (" from scheduled send" if any(r.kind == "latency" for r in results) else ""))
    axes.set_ylabel("requests")
    axes.set_title(title)
    if axes.has_data():
        axes.legend(fontsize="small")
    return figure


def plot_timeline(result: ProbeResult) -> Figure:
    """Per second: requests sent/completed, errors, late and dropped sends (top); p50/p99/max (bottom)."""
    figure = Figure(figsize=(8, 5), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    rows = result.timeline
    seconds = [row["second"] for row in rows]
    for key in ("sent", "completed", "errors", "late", "dropped"):
        values = [row[key] for row in rows]
        if any(values) or key in ("sent", "completed"):
            # Dashed: "sent" and "completed" coincide when the target keeps up.
            top.plot(seconds, values, marker=".", label=key, linestyle="--" if key == "sent" else "-")
    top.set_ylabel("per second")
    top.legend(fontsize="small", ncol=5)
    top.set_title(f"Timeline: {_label(result)}")
    for key in ("p50_ms", "p99_ms", "max_ms"):
        points = [(row["second"], row[key]) for row in rows if row[key] is not None]
        if points:
            bottom.plot(*zip(*points, strict=True), marker=".", label=key.replace("_ms", ""))
    bottom.set_yscale("log")
    bottom.set_ylabel("latency (ms)")
    bottom.set_xlabel("second of the measured window")
    if bottom.has_data():
        bottom.legend(fontsize="small")
    return figure


def plot_throughput_vs_concurrency(results: Sequence[ProbeResult]) -> Figure:
    """req/s (left) and p99 ms (right) against concurrency per target; hollow = client-bound."""
    figure = Figure(figsize=(8, 4), layout="constrained")
    rps_axes = figure.add_subplot()
    p99_axes = rps_axes.twinx()
    targets = sorted({r.target for r in results if r.kind == "throughput"})
    for index, target in enumerate(targets):
        color = f"C{index}"
        runs = sorted(
            (r for r in results if r.kind == "throughput" and r.target == target), key=lambda r: r.concurrency
        )
        xs = [r.concurrency for r in runs]
        rps_axes.plot(xs, [r.throughput_rps for r in runs], color=color, label=f"{target} req/s")
        p99_axes.plot(
            xs, [r.latency.ms("p99_s") or float("nan") for r in runs], color=color, linestyle=":", label=f"{target} p99"
        )
        for run in runs:
            rps_axes.plot(
                run.concurrency,
                run.throughput_rps,
                marker="o",
                color=color,
                markerfacecolor="none" if run.client_bound else color,
            )
            if run.client_bound:
                rps_axes.annotate("client-bound", (run.concurrency, run.throughput_rps), fontsize="x-small")
    rps_axes.set_xlabel("concurrent connections")
    rps_axes.set_ylabel("requests per second")
    p99_axes.set_ylabel("p99 latency (ms)")
    rps_axes.set_title("Throughput against concurrency (hollow marker = client-bound)")
    handles = rps_axes.get_legend_handles_labels()[0] + p99_axes.get_legend_handles_labels()[0]
    if handles:
        rps_axes.legend(handles=handles, fontsize="small", loc="upper left")
    return figure


def _label(result: ProbeResult) -> str:
    mode = f"{result.rate_rps:g} req/s open loop" if result.kind == "latency" else f"{result.concurrency} conn"
    return f"{result.target} ({mode}){' CLIENT-BOUND' if result.client_bound else ''}"
