"""Presign benchmark: how long the service takes to hand out presigned URLs (the seed's figure)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._service_proc import ServiceProcess


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


def benchmark_presign(
    service: ServiceProcess, image_id: str, counts: Sequence[int], *, extension: str = "png", max_seconds: float = 60.0
) -> list[BenchmarkRun]:
    """Call `get_character_reference_url(image_id=..., extension=...)` `count` times per run, as the
    seed's script does (by keyword), timed inside the service's own process.

    The seed's service HEADs the object before presigning and returns None for a missing one, so
    `image_id` must name an object that exists. Each run stops after `max_seconds` even if incomplete.
    """
    runs = []
    service.call("get_character_reference_url", image_id=image_id, extension=extension)  # warm-up
    for count in counts:
        reply = service.repeat(
            "get_character_reference_url", count, max_s=max_seconds, image_id=image_id, extension=extension
        )
        urls = [str(url) if url is not None else "" for url in reply["values"]]
        runs.append(BenchmarkRun(count, list(reply["seconds"]), urls, stopped_early=bool(reply["stopped_early"])))
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
