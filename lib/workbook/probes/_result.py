"""What a probe run produced, as one object: numbers, self-check, histogram, timeline.

`ProbeResult.to_dict()` is JSON-able (the histogram is included HDR-encoded, so percentiles
can be recomputed later); `results_table()` is the pandas table a notebook shows, with the
client-bound flag as a column of its own.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hdrh.histogram import HdrHistogram

from ..timing import LatencyStats, SelfCheck, new_histogram, record_seconds
from ._config import HttpTarget
from ._timeline import Timeline
from ._transport import Outcome

if TYPE_CHECKING:
    import pandas as pd

ProbeKind = Literal["throughput", "latency"]


class Recorder:
    """Accumulates one measured window; the loops call `sent`/`dropped`/`done`."""

    def __init__(self, target: HttpTarget, start: float) -> None:
        self.target = target
        self.latency = new_histogram()
        self.service = new_histogram()
        self.send_lag = new_histogram()
        self.timer_lag = new_histogram()
        self.timeline = Timeline(start)
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.sent_count = 0
        self.completed = 0
        self.ok = 0
        self.late = 0
        self.dropped_count = 0

    def sent(self, t: float, *, late: bool = False) -> None:
        self.sent_count += 1
        self.late += late
        self.timeline.sent(t, late=late)

    def dropped(self, t: float) -> None:
        self.dropped_count += 1
        self.timeline.dropped(t)

    def done(self, outcome: Outcome, *, start: float, sent: float, end: float) -> None:
        """`start` is where latency is measured from: the send (closed) or the schedule (open)."""
        got_response = outcome.status is not None
        ok = got_response and self.target.is_success(outcome.status or 0)
        if got_response:
            self.completed += 1
            self.statuses[outcome.status or 0] += 1
            record_seconds(self.latency, end - start)
            record_seconds(self.service, end - sent)
        else:
            self.errors[outcome.error or "unknown"] += 1
        if ok:
            self.ok += 1
        elif got_response:
            self.errors[f"status:{outcome.status}"] += 1
        self.timeline.done(end, end - start, ok=ok, got_response=got_response)


@dataclass(frozen=True)
class ProbeResult:
    """One probe run against one target.

    `latency` is measured from the send (throughput probe) or from the *scheduled* send time
    (latency probe, so coordinated omission is not hidden); `service` is always send→response.
    """

    kind: ProbeKind
    target: str
    method: str
    url: str
    transport: str
    concurrency: int
    rate_rps: float | None
    duration_s: float
    stop_reason: str
    scheduled: int
    sent: int
    completed: int
    ok: int
    late_sends: int
    dropped_sends: int
    status_counts: dict[str, int]
    errors: dict[str, int]
    latency: LatencyStats
    service: LatencyStats
    send_lag: LatencyStats | None
    selfcheck: SelfCheck
    timeline: list[dict[str, Any]] = field(default_factory=list)
    histogram: HdrHistogram | None = field(default=None, compare=False, repr=False)
    service_histogram: HdrHistogram | None = field(default=None, compare=False, repr=False)
    # A sharded probe: the shards' own results (each with its own self-check verdict).
    shards: tuple[ProbeResult, ...] = ()

    @property
    def success_rate(self) -> float:
        """Successful responses over everything that should have been sent (incl. dropped sends)."""
        attempted = self.sent + self.dropped_sends
        return self.ok / attempted if attempted else 0.0

    @property
    def throughput_rps(self) -> float:
        return self.completed / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def client_bound(self) -> bool:
        return self.selfcheck.client_bound

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "method": self.method,
            "url": self.url,
            "transport": self.transport,
            "concurrency": self.concurrency,
            "rate_rps": self.rate_rps,
            "duration_s": self.duration_s,
            "stop_reason": self.stop_reason,
            "scheduled": self.scheduled,
            "sent": self.sent,
            "completed": self.completed,
            "ok": self.ok,
            "success_rate": self.success_rate,
            "throughput_rps": self.throughput_rps,
            "late_sends": self.late_sends,
            "dropped_sends": self.dropped_sends,
            "status_counts": self.status_counts,
            "errors": self.errors,
            "latency": self.latency.to_dict(),
            "service": self.service.to_dict(),
            "send_lag": self.send_lag.to_dict() if self.send_lag else None,
            "client_bound": self.client_bound,
            "selfcheck": self.selfcheck.to_dict(),
            "timeline": self.timeline,
            "histogram_hdr": self.histogram.encode().decode() if self.histogram is not None else None,
            "shards": [shard.to_dict() for shard in self.shards],
        }

    def row(self) -> dict[str, Any]:
        """One table row: milliseconds, rounded for reading."""

        def ms(stats: LatencyStats | None, name: str) -> float | None:
            value = stats.ms(name) if stats else None
            return None if value is None else round(value, 3)

        return {
            "target": self.target,
            "probe": self.kind,
            "concurrency": self.concurrency,
            "rate_rps": self.rate_rps,
            "requests": self.sent,
            "req_per_s": round(self.throughput_rps, 1),
            "success_rate": round(self.success_rate, 4),
            "p50_ms": ms(self.latency, "p50_s"),
            "p90_ms": ms(self.latency, "p90_s"),
            "p99_ms": ms(self.latency, "p99_s"),
            "p99.9_ms": ms(self.latency, "p999_s"),
            "max_ms": ms(self.latency, "max_s"),
            "service_p50_ms": ms(self.service, "p50_s"),
            "late": self.late_sends,
            "dropped": self.dropped_sends,
            "errors": sum(self.errors.values()),
            "client_cpu": round(self.selfcheck.cpu_fraction, 2),
            "client_bound": self.client_bound,
            "shards": len(self.shards) or 1,
            "client_bound_shards": [index for index, shard in enumerate(self.shards) if shard.client_bound],
        }


def results_table(results: list[ProbeResult]) -> pd.DataFrame:
    """The per-run table a notebook shows (latency in ms; `client_bound` always a column)."""
    import pandas as pd

    return pd.DataFrame([result.row() for result in results])


def write_results_json(path: Path | str, **sections: Any) -> Path:
    """Write probe results (and anything else with `to_dict()`) as one JSON evidence file."""

    def plain(value: Any) -> Any:
        if hasattr(value, "to_dict"):
            return value.to_dict()
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({name: plain(value) for name, value in sections.items()}, indent=1, default=str))
    return path


def build_result(
    recorder: Recorder,
    *,
    kind: ProbeKind,
    transport: str,
    concurrency: int,
    rate_rps: float | None,
    duration_s: float,
    stop_reason: str,
    scheduled: int,
    selfcheck: SelfCheck,
) -> ProbeResult:
    target = recorder.target
    open_loop = kind == "latency"
    return ProbeResult(
        kind=kind,
        target=target.name,
        method=target.method,
        url=target.url,
        transport=transport,
        concurrency=concurrency,
        rate_rps=rate_rps,
        duration_s=duration_s,
        stop_reason=stop_reason,
        scheduled=scheduled,
        sent=recorder.sent_count,
        completed=recorder.completed,
        ok=recorder.ok,
        late_sends=recorder.late,
        dropped_sends=recorder.dropped_count,
        status_counts={str(k): v for k, v in sorted(recorder.statuses.items())},
        errors=dict(sorted(recorder.errors.items())),
        latency=LatencyStats.from_histogram(recorder.latency),
        service=LatencyStats.from_histogram(recorder.service),
        send_lag=LatencyStats.from_histogram(recorder.send_lag) if open_loop else None,
        selfcheck=selfcheck,
        timeline=recorder.timeline.rows(),
        histogram=recorder.latency,
        service_histogram=recorder.service,
    )


def record_lag(recorder: Recorder, *, timer_lag_s: float, send_lag_s: float) -> None:
    record_seconds(recorder.timer_lag, timer_lag_s)
    record_seconds(recorder.send_lag, send_lag_s)
