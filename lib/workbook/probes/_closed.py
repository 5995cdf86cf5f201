"""Throughput probe: a closed loop of N workers, each sending its next request as soon as the
previous one completes ("how much can it take"). Latency here is per-request service time and
is subject to coordinated omission by design; use the latency probe for latency budgets.
"""

from __future__ import annotations

import asyncio
import time

from ..timing import ClientBoundThresholds, SelfMonitor
from ._config import Bounds, HttpTarget
from ._errors import ProbeConfigError
from ._result import ProbeResult, Recorder, build_result
from ._transport import Transport, TransportFactory


async def _workers(
    transport: Transport,
    target: HttpTarget,
    recorder: Recorder | None,
    concurrency: int,
    deadline: float,
    cap: int,
) -> str:
    tickets = cap

    async def worker() -> None:
        nonlocal tickets
        while tickets > 0 and time.perf_counter() < deadline:
            tickets -= 1
            sent = time.perf_counter()
            if recorder is not None:
                recorder.sent(sent)
            outcome = await transport.send(target)
            if recorder is not None:
                recorder.done(outcome, start=sent, sent=sent, end=time.perf_counter())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return "max_requests" if tickets <= 0 else "duration"


async def throughput_probe_async(
    target: HttpTarget,
    *,
    concurrency: int,
    bounds: Bounds,
    transport: TransportFactory,
    thresholds: ClientBoundThresholds | None = None,
) -> ProbeResult:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= 10_000:
        raise ProbeConfigError("concurrency", concurrency, "an integer from 1 to 10000")
    client = transport()
    await client.open(concurrency, bounds.timeout_s)
    try:
        async with asyncio.timeout(bounds.hard_limit_s):
            if bounds.warmup_s > 0:
                warm_deadline = time.perf_counter() + bounds.warmup_s
                await _workers(client, target, None, concurrency, warm_deadline, bounds.max_requests)
            monitor = SelfMonitor(thresholds or ClientBoundThresholds(), judge_cpu=True)
            start = time.perf_counter()
            recorder = Recorder(target, start)
            monitor.start()
            stop_reason = await _workers(
                client, target, recorder, concurrency, start + bounds.duration_s, bounds.max_requests
            )
            elapsed = time.perf_counter() - start
            selfcheck = await monitor.finish()
    finally:
        await client.close()
    return build_result(
        recorder,
        kind="throughput",
        transport=client.name,
        concurrency=concurrency,
        rate_rps=None,
        duration_s=elapsed,
        stop_reason=stop_reason,
        scheduled=recorder.sent_count,
        selfcheck=selfcheck,
    )
