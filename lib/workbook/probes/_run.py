"""Synchronous entry points: each probe runs through `workbook.run_sync` on a private event loop.

A notebook kernel already runs an event loop in its main thread; a probe sharing it would
compete with the kernel's own callbacks and could not be timed on its own. A dedicated thread
gives the probe a loop of its own (and a thread whose CPU time is the probe's alone).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from ..notebook import log
from ..runtime import dask_client, run_sync
from ..timing import ClientBoundThresholds
from ._closed import throughput_probe_async
from ._config import Bounds, HttpTarget, check_target
from ._errors import ProbeConfigError
from ._open import latency_probe_async
from ._result import ProbeResult
from ._shards import START_DELAY_S, run_shards, split_evenly
from ._transport import TransportFactory
from ._transports import DEFAULT_TRANSPORT, transport_factory

T = TypeVar("T")


def _prepare(
    target: HttpTarget,
    loopback_only: bool,
    duration_s: float,
    max_requests: int,
    timeout_s: float,
    warmup_s: float,
    transport: str | TransportFactory,
) -> tuple[Bounds, TransportFactory]:
    """Everything checked before a probe starts: the target, its bounds, the transport's name."""
    check_target(target, loopback_only=loopback_only)
    bounds = Bounds.of(duration_s=duration_s, max_requests=max_requests, timeout_s=timeout_s, warmup_s=warmup_s)
    return bounds, transport_factory(transport)


def throughput_probe(
    target: HttpTarget,
    *,
    concurrency: int,
    duration_s: float,
    max_requests: int,
    timeout_s: float = 10.0,
    warmup_s: float = 0.0,
    transport: str | TransportFactory = DEFAULT_TRANSPORT,
    thresholds: ClientBoundThresholds | None = None,
    loopback_only: bool = True,
) -> ProbeResult:
    """Closed loop: `concurrency` workers back to back until `duration_s` or `max_requests`."""
    bounds, factory = _prepare(target, loopback_only, duration_s, max_requests, timeout_s, warmup_s, transport)
    return run_sync(
        throughput_probe_async(
            target, concurrency=concurrency, bounds=bounds, transport=factory, thresholds=thresholds
        ),
        what=f"throughput probe of {target.name}",
    )


def latency_probe(
    target: HttpTarget,
    *,
    rate_rps: float,
    duration_s: float,
    max_requests: int,
    connections: int = 64,
    timeout_s: float = 10.0,
    warmup_s: float = 0.0,
    max_lateness_s: float | None = None,
    precise_timer: bool = True,
    transport: str | TransportFactory = DEFAULT_TRANSPORT,
    thresholds: ClientBoundThresholds | None = None,
    loopback_only: bool = True,
) -> ProbeResult:
    """Open loop at `rate_rps`; latency from the scheduled send time; late/dropped sends counted."""
    bounds, factory = _prepare(target, loopback_only, duration_s, max_requests, timeout_s, warmup_s, transport)
    return run_sync(
        latency_probe_async(
            target,
            rate_rps=rate_rps,
            bounds=bounds,
            transport=factory,
            connections=connections,
            max_lateness_s=max_lateness_s,
            precise_timer=precise_timer,
            thresholds=thresholds,
        ),
        what=f"latency probe of {target.name}",
    )


def concurrency_sweep(
    targets: Sequence[HttpTarget],
    concurrency_levels: Iterable[int],
    *,
    duration_s: float,
    max_requests: int,
    timeout_s: float = 10.0,
    warmup_s: float = 0.0,
    transport: str | TransportFactory = DEFAULT_TRANSPORT,
    thresholds: ClientBoundThresholds | None = None,
    loopback_only: bool = True,
    shards: int = 1,
    scheduler: str = "",
) -> list[ProbeResult]:
    """A throughput probe per target and concurrency level, one after the other (never overlapping);
    with `shards` > 1 each probe's connections are shared among that many Dask workers."""
    levels = list(concurrency_levels)
    if not levels:
        raise ProbeConfigError("concurrency_levels", levels, "at least one positive integer")
    options: dict[str, Any] = {
        "timeout_s": timeout_s,
        "warmup_s": warmup_s,
        "transport": transport,
        "thresholds": thresholds,
    }
    results = []
    with _load_generators(shards, scheduler) as client:
        for target in targets:
            for level in levels:
                log(
                    f"throughput probe {target.name}: {level} connections, ≤ {duration_s:g} s / {max_requests} "
                    f"requests" + (f", {shards} shards" if client is not None else "")
                )
                probe_args: dict[str, Any] = {
                    "duration_s": duration_s,
                    "max_requests": max_requests,
                    "loopback_only": loopback_only,
                }
                result = (
                    sharded_throughput_probe(
                        target, shards=shards, concurrency=level, client=client, **probe_args, **options
                    )
                    if client is not None
                    else throughput_probe(target, concurrency=level, **probe_args, **options)
                )
                log(
                    f"  {result.throughput_rps:,.0f} req/s, p99 {result.latency.ms('p99_s') or 0:.2f} ms, "
                    f"success {result.success_rate:.1%}{_flag(result)}"
                )
                results.append(result)
    return results


def latency_probes(
    targets: Sequence[HttpTarget],
    *,
    rate_rps: float,
    duration_s: float,
    max_requests: int,
    connections: int = 64,
    timeout_s: float = 10.0,
    warmup_s: float = 0.0,
    transport: str | TransportFactory = DEFAULT_TRANSPORT,
    thresholds: ClientBoundThresholds | None = None,
    loopback_only: bool = True,
    shards: int = 1,
    scheduler: str = "",
) -> list[ProbeResult]:
    """A latency probe per target, one after the other (never overlapping), with progress lines;
    with `shards` > 1 each probe's arrival rate is shared among that many Dask workers."""
    options: dict[str, Any] = {
        "connections": connections,
        "timeout_s": timeout_s,
        "warmup_s": warmup_s,
        "transport": transport,
        "thresholds": thresholds,
    }
    results = []
    with _load_generators(shards, scheduler) as client:
        for target in targets:
            log(
                f"latency probe {target.name}: {rate_rps:g} req/s for {duration_s:g} s (cap {max_requests} "
                f"requests)" + (f", {shards} shards" if client is not None else "")
            )
            probe_args: dict[str, Any] = {"rate_rps": rate_rps, "duration_s": duration_s, "max_requests": max_requests}
            result = (
                sharded_latency_probe(
                    target, shards=shards, client=client, loopback_only=loopback_only, **probe_args, **options
                )
                if client is not None
                else latency_probe(target, loopback_only=loopback_only, **probe_args, **options)
            )
            log(
                f"  p50 {result.latency.ms('p50_s') or 0:.2f} ms, p99 {result.latency.ms('p99_s') or 0:.2f} ms from "
                f"schedule, late {result.late_sends}, dropped {result.dropped_sends}, "
                f"success {result.success_rate:.1%}{_flag(result)}"
            )
            results.append(result)
    return results


def sharded_latency_probe(
    target: HttpTarget,
    *,
    shards: int,
    rate_rps: float,
    duration_s: float,
    max_requests: int,
    scheduler: str = "",
    client: Any = None,
    loopback_only: bool = True,
    start_delay_s: float = START_DELAY_S,
    **options: Any,
) -> ProbeResult:
    """The open-loop latency probe with `rate_rps` and `max_requests` shared among `shards` workers
    (of `client`'s cluster, else of a local cluster started for this probe, or of `scheduler`)."""
    check_target(target, loopback_only=loopback_only)
    counts = split_evenly(max_requests, shards)
    specs = [
        {"rate_rps": rate_rps / shards, "duration_s": duration_s, "max_requests": count, **options} for count in counts
    ]
    return run_shards(latency_probe, target, specs, client, scheduler, loopback_only, start_delay_s)


def sharded_throughput_probe(
    target: HttpTarget,
    *,
    shards: int,
    concurrency: int,
    duration_s: float,
    max_requests: int,
    scheduler: str = "",
    client: Any = None,
    loopback_only: bool = True,
    start_delay_s: float = START_DELAY_S,
    **options: Any,
) -> ProbeResult:
    """The closed-loop throughput probe with `concurrency` connections shared among `shards` workers."""
    check_target(target, loopback_only=loopback_only)
    if concurrency < shards:
        raise ProbeConfigError("concurrency", concurrency, f"at least one connection per shard ({shards} shards)")
    specs = [
        {"concurrency": share, "duration_s": duration_s, "max_requests": count, **options}
        for share, count in zip(split_evenly(concurrency, shards), split_evenly(max_requests, shards), strict=True)
    ]
    return run_shards(throughput_probe, target, specs, client, scheduler, loopback_only, start_delay_s)


@contextmanager
def _load_generators(shards: int, scheduler: str) -> Iterator[Any]:
    """None for one generator (this process); else a Dask client whose workers are the generators."""
    if shards < 1:
        raise ProbeConfigError("shards", shards, "a number of load generators >= 1")
    if shards == 1 and not scheduler:
        yield None
        return
    with dask_client(workers=shards, scheduler=scheduler or None) as client:
        yield client


def _flag(result: ProbeResult) -> str:
    if not result.client_bound:
        return ""
    bound = [str(index) for index, shard in enumerate(result.shards) if shard.client_bound]
    return " CLIENT-BOUND" + (f" (shards {', '.join(bound)})" if bound else "")
