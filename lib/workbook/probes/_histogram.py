"""Latency recording on HDR histograms (`hdrhistogram`, module `hdrh`) and the per-second timeline.

Values are recorded in whole microseconds; 3 significant digits keeps 0.1 % value precision
from 1 µs to one hour. A value above the range is clamped to the top (and still counted), never
dropped: `HdrHistogram.record_value` silently ignores out-of-range values otherwise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 3_600_000_000
PERCENTILES = (50.0, 90.0, 99.0, 99.9)


def new_histogram(significant_figures: int = 3) -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, significant_figures)


def record_seconds(histogram: HdrHistogram, seconds: float) -> None:
    micros = int(seconds * 1e6 + 0.5)
    histogram.record_value(min(max(micros, LOWEST_US), HIGHEST_US))


@dataclass(frozen=True)
class LatencyStats:
    """Percentiles of one histogram, in seconds. `count == 0` means nothing was recorded."""

    count: int
    min_s: float | None
    mean_s: float | None
    p50_s: float | None
    p90_s: float | None
    p99_s: float | None
    p999_s: float | None
    max_s: float | None

    @classmethod
    def from_histogram(cls, histogram: HdrHistogram) -> LatencyStats:
        count = int(histogram.get_total_count())
        if count == 0:
            return cls(0, None, None, None, None, None, None, None)
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


class _Second:
    __slots__ = ("completed", "dropped", "errors", "histogram", "late", "ok", "sent")

    def __init__(self) -> None:
        self.sent = 0
        self.completed = 0
        self.ok = 0
        self.errors = 0
        self.late = 0
        self.dropped = 0
        # Two significant digits is plenty per second and keeps each bucket small.
        self.histogram = new_histogram(2)


class Timeline:
    """Counts and latency per whole second since the start of the measured window.

    Sends, late and dropped sends are counted in the second they were scheduled/sent;
    completions, errors and latency in the second the response completed.
    """

    def __init__(self, start: float) -> None:
        self.start = start
        self._seconds: dict[int, _Second] = {}

    def _at(self, t: float) -> _Second:
        key = max(int(t - self.start), 0)
        bucket = self._seconds.get(key)
        if bucket is None:
            bucket = self._seconds[key] = _Second()
        return bucket

    def sent(self, t: float, *, late: bool = False) -> None:
        bucket = self._at(t)
        bucket.sent += 1
        bucket.late += late

    def dropped(self, t: float) -> None:
        self._at(t).dropped += 1

    def done(self, t: float, latency_s: float, *, ok: bool, got_response: bool) -> None:
        bucket = self._at(t)
        if got_response:
            bucket.completed += 1
            record_seconds(bucket.histogram, latency_s)
        if ok:
            bucket.ok += 1
        else:
            bucket.errors += 1

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for second in range(max(self._seconds, default=-1) + 1):
            bucket = self._seconds.get(second) or _Second()
            stats = LatencyStats.from_histogram(bucket.histogram)
            rows.append(
                {
                    "second": second,
                    "sent": bucket.sent,
                    "completed": bucket.completed,
                    "ok": bucket.ok,
                    "errors": bucket.errors,
                    "late": bucket.late,
                    "dropped": bucket.dropped,
                    "p50_ms": stats.ms("p50_s"),
                    "p99_ms": stats.ms("p99_s"),
                    "max_ms": stats.ms("max_s"),
                }
            )
        return rows
