"""Load from several machines: one probe sharded over Dask workers, merged exactly.

Every shard starts at the same wall-clock instant (the coordinator sets a start time a little in
the future; each worker sleeps until it), runs its share of the arrival rate or of the
connections, and returns its result with its HDR histograms encoded. The coordinator merges the
histograms with HdrHistogram's `add`, so the merged percentiles are those of all samples together
(within the histogram's 3-significant-digit precision), never an average of percentiles. Each
shard keeps its own self-check verdict: a saturated generator stays visible as
`client_bound_shards`, and makes the merged result client-bound too.

Workers must reach the target (a remote cluster cannot load a sandbox on 127.0.0.1 of another
machine) and have synchronised clocks (the start barrier is wall-clock time).
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from hdrh.histogram import HdrHistogram

from ..runtime import dask_client, worker_addresses
from ..timing import LatencyStats, SelfCheck, new_histogram
from ._config import HttpTarget
from ._errors import ProbeConfigError
from ._result import ProbeResult

# After the workers have imported the probes (a warm-up call), enough for each to receive its task.
START_DELAY_S = 1.0
# Shards starting further apart than this are noted: their load did not fully overlap.
START_SKEW_NOTE_S = 0.05


def split_evenly(total: int, parts: int) -> list[int]:
    """`total` as `parts` whole shares differing by at most one (larger shares first)."""
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def merge_histograms(histograms: Sequence[HdrHistogram]) -> HdrHistogram:
    merged = new_histogram()
    for histogram in histograms:
        merged.add(histogram)
    return merged


def merge_results(parts: Sequence[ProbeResult], *, start_skew_s: float = 0.0) -> ProbeResult:
    """One result from shards of the same probe: counts summed, histograms added, self-checks kept."""
    if not parts:
        raise ProbeConfigError("shards", 0, "at least one shard result to merge")
    latency = merge_histograms([part.histogram for part in parts if part.histogram is not None])
    service = merge_histograms([part.service_histogram for part in parts if part.service_histogram is not None])
    first = parts[0]
    rates = [part.rate_rps for part in parts if part.rate_rps is not None]
    return dataclasses.replace(
        first,
        concurrency=sum(part.concurrency for part in parts),
        rate_rps=sum(rates) if rates else None,
        duration_s=max(part.duration_s for part in parts),
        stop_reason=", ".join(sorted({part.stop_reason for part in parts})),
        scheduled=sum(part.scheduled for part in parts),
        sent=sum(part.sent for part in parts),
        completed=sum(part.completed for part in parts),
        ok=sum(part.ok for part in parts),
        late_sends=sum(part.late_sends for part in parts),
        dropped_sends=sum(part.dropped_sends for part in parts),
        status_counts=dict(sum((Counter(part.status_counts) for part in parts), Counter())),
        errors=dict(sum((Counter(part.errors) for part in parts), Counter())),
        latency=LatencyStats.from_histogram(latency),
        service=LatencyStats.from_histogram(service),
        send_lag=_worst([part.send_lag for part in parts if part.send_lag is not None]),
        selfcheck=_merged_selfcheck(parts, start_skew_s),
        timeline=_merged_timeline(parts),
        histogram=latency,
        service_histogram=service,
        shards=tuple(parts),
    )


Probe = Callable[..., ProbeResult]


def run_shard(
    probe: Probe, target: HttpTarget, spec: dict[str, Any], loopback_only: bool, start_at: float
) -> tuple[ProbeResult, str, str, float]:
    """The task: wait for the start instant, run this shard's probe, return it with encoded histograms."""
    time.sleep(max(0.0, start_at - time.time()))
    started = time.time()
    result = probe(target, loopback_only=loopback_only, **spec)
    latency = result.histogram.encode().decode() if result.histogram is not None else ""
    service = result.service_histogram.encode().decode() if result.service_histogram is not None else ""
    return dataclasses.replace(result, histogram=None, service_histogram=None), latency, service, started


def run_shards(
    probe: Probe,
    target: HttpTarget,
    specs: list[dict[str, Any]],
    client: Any,
    scheduler: str,
    loopback_only: bool,
    start_delay_s: float,
) -> ProbeResult:
    shards = len(specs)
    if not 1 <= shards <= 64:
        raise ProbeConfigError("shards", shards, "a number of load generators from 1 to 64")
    if client is None:
        with dask_client(workers=shards, scheduler=scheduler or None) as own:
            return run_shards(probe, target, specs, own, scheduler, loopback_only, start_delay_s)
    workers = worker_addresses(client)
    if len(workers) < shards:
        raise ProbeConfigError("shards", shards, f"at most the cluster's {len(workers)} worker(s)")
    client.run(_warm_up, workers=workers[:shards])  # imports happen now, not after the start instant
    start_at = time.time() + start_delay_s
    futures = [
        client.submit(
            run_shard,
            probe,
            target,
            spec,
            loopback_only,
            start_at,
            workers=[worker],
            allow_other_workers=False,
            pure=False,
        )
        for spec, worker in zip(specs, workers, strict=False)
    ]
    outcomes = client.gather(futures)
    parts = [
        dataclasses.replace(
            result,
            histogram=HdrHistogram.decode(latency) if latency else None,
            service_histogram=HdrHistogram.decode(service) if service else None,
        )
        for result, latency, service, _ in outcomes
    ]
    starts = [started for *_, started in outcomes]
    return merge_results(parts, start_skew_s=max(starts) - min(starts))


def _warm_up() -> bool:
    import workbook.probes  # noqa: F401 - imported for the side effect of being loaded

    return True


def _worst(stats: list[LatencyStats]) -> LatencyStats | None:
    measured = [stat for stat in stats if stat.count]
    return max(measured, key=lambda stat: stat.p99_s or 0.0) if measured else (stats[0] if stats else None)


def _merged_selfcheck(parts: Sequence[ProbeResult], start_skew_s: float) -> SelfCheck:
    checks = [part.selfcheck for part in parts]
    loop = _worst([check.loop_lag for check in checks]) or checks[0].loop_lag
    timers = [check.timer_lag for check in checks if check.timer_lag is not None]
    notes = [f"{len(parts)} shards; starts {start_skew_s * 1000:.1f} ms apart"]
    if start_skew_s > START_SKEW_NOTE_S:
        notes.append("shards did not start together: their loads overlapped only partly")
    notes += [f"shard {index}: {note}" for index, check in enumerate(checks) for note in check.notes]
    return SelfCheck(
        wall_s=max(check.wall_s for check in checks),
        cpu_s=sum(check.cpu_s for check in checks),
        cpu_fraction=max(check.cpu_fraction for check in checks),
        process_cpu_fraction=max(check.process_cpu_fraction for check in checks),
        loop_lag=loop,
        timer_lag=_worst(timers),
        client_bound=any(check.client_bound for check in checks),
        reasons=tuple(f"shard {index}: {reason}" for index, check in enumerate(checks) for reason in check.reasons),
        notes=tuple(notes),
    )


def _merged_timeline(parts: Sequence[ProbeResult]) -> list[dict[str, Any]]:
    """Per-second counts summed over shards (they started together); latency columns are the
    worst shard's for that second (per-second histograms are not kept, so not merged)."""
    seconds: dict[int, dict[str, Any]] = {}
    for part in parts:
        for row in part.timeline:
            merged = seconds.setdefault(int(row["second"]), {"second": int(row["second"])})
            for key, value in row.items():
                if key == "second" or value is None:
                    continue
                if key.endswith("_ms"):
                    merged[key] = max(merged.get(key) or 0.0, value)
                else:
                    merged[key] = merged.get(key, 0) + value
    return [seconds[second] for second in sorted(seconds)]
