"""The per-second timeline of one probe run: counts and latency per whole second."""

from __future__ import annotations

from typing import Any

from ..timing import LatencyStats, new_histogram, record_seconds


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
