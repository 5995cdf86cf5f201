"""Presign benchmark: how long the service takes to hand out presigned URLs (the seed's figure)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

UrlFactory = Callable[[str, str], Awaitable[str]]


@dataclass
class BenchmarkRun:
    requested: int
    # Seconds per call, in call order.
    latencies_s: list[float]
    urls: list[str]
    stopped_early: bool

    @property
    def completed(self) -> int:
        return len(self.latencies_s)

    def row(self) -> dict[str, float | int | bool]:
        total_s = sum(self.latencies_s)
        ordered = sorted(self.latencies_s)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else float("nan")
        return {
            "urls": self.completed,
            "requested": self.requested,
            "total_ms": round(total_s * 1000, 3),
            "ms_per_url": round(total_s * 1000 / self.completed, 4) if self.completed else float("nan"),
            "median_ms": round(statistics.median(ordered) * 1000, 4) if ordered else float("nan"),
            "p95_ms": round(p95 * 1000, 4),
            "urls_per_s": round(self.completed / total_s, 1) if total_s else float("nan"),
            "stopped_early": self.stopped_early,
        }


async def benchmark_presign(
    url_for: UrlFactory, counts: Sequence[int], *, extension: str = "png", max_seconds: float = 60.0
) -> list[BenchmarkRun]:
    """Call `url_for(image_id, extension)` `count` times per run, as the seed's script does.

    Each run stops after `max_seconds` even if incomplete, so a slow service cannot hang a notebook.
    """
    runs = []
    await url_for("wb-bench-warmup", extension)
    for count in counts:
        latencies: list[float] = []
        urls: list[str] = []
        deadline = time.perf_counter() + max_seconds
        for index in range(count):
            started = time.perf_counter()
            urls.append(await url_for(f"wb-bench-{count}-{index}", extension))
            latencies.append(time.perf_counter() - started)
            if time.perf_counter() > deadline:
                break
        runs.append(BenchmarkRun(count, latencies, urls, stopped_early=len(latencies) < count))
    return runs


def benchmark_table(runs: Sequence[BenchmarkRun]) -> pd.DataFrame:
    return pd.DataFrame([run.row() for run in runs])


def plot_benchmark(runs: Sequence[BenchmarkRun]) -> Figure:
    """Per-call latency distribution of each run (one line per run, sorted latencies)."""
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    for run in runs:
        ordered = sorted(latency * 1000 for latency in run.latencies_s)
        share = [(index + 1) / len(ordered) for index in range(len(ordered))]
        left.plot(ordered, share, label=f"{run.completed} URLs")
    left.set_xscale("log")
    left.set_xlabel("ms per presigned URL (log scale)")
    left.set_ylabel("share of calls at or below")
    left.set_title("latency distribution")
    if runs:
        left.legend()
    rows = [run.row() for run in runs]
    right.bar([str(row["urls"]) for row in rows], [float(row["ms_per_url"]) for row in rows])
    right.set_xlabel("URLs generated")
    right.set_ylabel("mean ms per URL")
    right.set_title("presign cost")
    figure.tight_layout()
    return figure


def save_benchmark_table(runs: Sequence[BenchmarkRun], path: Path) -> pd.DataFrame:
    """Write the table as CSV evidence at `path` and return it (the plot goes through keep_figure)."""
    table = benchmark_table(runs)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return table
