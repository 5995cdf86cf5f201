"""Latency statistics: from HDR histograms (`hdrhistogram`, module `hdrh`) or from raw samples.

Histogram values are recorded in whole microseconds; 3 significant digits keeps 0.1 % value
precision from 1 µs to one hour. A value above the range is clamped to the top (and still
counted), never dropped: `HdrHistogram.record_value` silently ignores out-of-range values
otherwise. Raw samples (a few hundred WebSocket round trips) are summarised exactly, with
nearest-rank percentiles: always a value that was observed, never an interpolation below it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 3_600_000_000
PERCENTILES = (50.0, 90.0, 99.0, 99.9)
# What a budget compares with its limit.
Statistic = Literal["max", "p99", "p90", "p50", "mean"]
STATISTICS: tuple[Statistic, ...] = ("max", "p99", "p90", "p50", "mean")


def new_histogram(significant_figures: int = 3) -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, significant_figures)


def record_seconds(histogram: HdrHistogram, seconds: float) -> None:
    micros = int(seconds * 1e6 + 0.5)
    histogram.record_value(min(max(micros, LOWEST_US), HIGHEST_US))


def nearest_rank(ordered: list[float], percentile: float) -> float:
    """The nearest-rank percentile of an ascending, non-empty list."""
    rank = max(1, math.ceil(percentile / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class LatencyStats:
    """Percentiles of one set of latencies, in seconds. `count == 0` means nothing was recorded."""

    count: int
    min_s: float | None
    mean_s: float | None
    p50_s: float | None
    p90_s: float | None
    p99_s: float | None
    p999_s: float | None
    max_s: float | None

    @classmethod
    def empty(cls) -> LatencyStats:
        return cls(0, None, None, None, None, None, None, None)

    @classmethod
    def from_histogram(cls, histogram: HdrHistogram) -> LatencyStats:
        count = int(histogram.get_total_count())
        if count == 0:
            return cls.empty()
        values = histogram.get_percentile_to_value_dict(list(PERCENTILES))
        return cls(
            count=count,
            min_s=histogram.get_min_value() / 1e6,
            mean_s=histogram.get_mean_value() / 1e6,
            p50_s=values[50.0] / 1e6,
            p90_s=values[90.0] / 1e6,
            p99_s=values[99.0] / 1e6,
            p999_s=values[99.9] / 1e6,
            max_s=histogram.get_max_value() / 1e6,
        )

    @classmethod
    def from_samples(cls, samples_s: Iterable[float]) -> LatencyStats:
        """Exact statistics of raw samples (nearest-rank percentiles)."""
        ordered = sorted(float(s) for s in samples_s)
        if not ordered:
            return cls.empty()
        p50, p90, p99, p999 = (nearest_rank(ordered, q) for q in PERCENTILES)
        return cls(len(ordered), ordered[0], sum(ordered) / len(ordered), p50, p90, p99, p999, ordered[-1])

    def stat(self, name: Statistic) -> float | None:
        """The named statistic ("max", "p99", "p90", "p50", "mean"); None when nothing was recorded."""
        value: float | None = getattr(self, f"{name}_s")
        return value

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def ms(self, field_name: str) -> float | None:
        value = getattr(self, field_name)
        return None if value is None else value * 1e3


def histogram_bins(histogram: HdrHistogram, bins_per_decade: int = 20) -> list[tuple[float, float, int]]:
    """(low_s, high_s, count) on log-spaced bins covering the recorded range; for plotting."""
    if histogram.get_total_count() == 0:
        return []
    low = max(histogram.get_min_value(), LOWEST_US)
    high = max(histogram.get_max_value(), low + 1)
    start = math.floor(math.log10(low) * bins_per_decade)
    stop = math.ceil(math.log10(high) * bins_per_decade) + 1
    edges = [10 ** (k / bins_per_decade) for k in range(start, stop + 1)]
    counts = [0] * (len(edges) - 1)
    for item in histogram.get_recorded_iterator():
        value = histogram.get_highest_equivalent_value(item.value_iterated_to)
        index = min(max(int(math.log10(max(value, 1)) * bins_per_decade) - start, 0), len(counts) - 1)
        counts[index] += item.count_added_in_this_iter_step
    return [(edges[i] / 1e6, edges[i + 1] / 1e6, c) for i, c in enumerate(counts) if c]
