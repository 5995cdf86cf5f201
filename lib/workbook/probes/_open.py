"""Latency probe: an open loop at a fixed arrival rate (the wrk2 model).

Request i is *scheduled* at `t0 + i / rate` whatever the target is doing. Latency is measured
from the scheduled time, so when the target stalls the requests that queue behind the stall
show up with their full waiting time instead of disappearing (coordinated omission). At most
`connections` requests are in flight; a send that has to wait for a free connection is sent
late (and counted), one that would be later than `max_lateness_s` is dropped (and counted,
as a failure in the success rate).

The scheduler sleeps until shortly before each send, then yields to the loop until the exact
time: a plain `asyncio.sleep` wakes ~0.7 ms late at p50 on epoll, which would dominate the
sub-millisecond latencies of a loopback target. How late the scheduler itself woke is kept as
`timer_lag` and feeds the client-bound verdict.
"""

from __future__ import annotations

import asyncio
import math
import time

from ..timing import ClientBoundThresholds, LatencyStats, SelfMonitor
from ._config import Bounds, HttpTarget
from ._errors import ProbeConfigError
from ._result import ProbeResult, Recorder, build_result, record_lag
from ._transport import Transport, TransportFactory

SPIN_WINDOW_S = 0.0015
# A send this much later than its schedule is counted as late.
DEFAULT_LATE_THRESHOLD_S = 0.001


async def wait_until(when: float, *, precise: bool, spin_window_s: float = SPIN_WINDOW_S) -> None:
    """Return at `when` (perf_counter clock): sleep most of the way, then yield until exact."""
    delay = when - time.perf_counter() - (spin_window_s if precise else 0.0)
    if delay > 0:
        await asyncio.sleep(delay)
    if precise:
        while time.perf_counter() < when:
            await asyncio.sleep(0)


async def latency_probe_async(
    target: HttpTarget,
    *,
    rate_rps: float,
    bounds: Bounds,
    transport: TransportFactory,
    connections: int = 64,
    max_lateness_s: float | None = None,
    precise_timer: bool = True,
    late_threshold_s: float = DEFAULT_LATE_THRESHOLD_S,
    thresholds: ClientBoundThresholds | None = None,
) -> ProbeResult:
    if isinstance(rate_rps, bool) or not isinstance(rate_rps, int | float) or not 0 < rate_rps <= 1_000_000:
        raise ProbeConfigError("rate_rps", rate_rps, "a positive number of requests per second (≤ 1e6)")
    if isinstance(connections, bool) or not isinstance(connections, int) or not 1 <= connections <= 10_000:
        raise ProbeConfigError("connections", connections, "an integer from 1 to 10000")
    lateness = bounds.timeout_s if max_lateness_s is None else max_lateness_s
    valid = isinstance(lateness, int | float) and not isinstance(lateness, bool)
    if not valid or not 0 < lateness <= bounds.timeout_s:
        expected = f"a positive number of seconds ≤ timeout_s ({bounds.timeout_s:g})"
        raise ProbeConfigError("max_lateness_s", max_lateness_s, expected)
    interval = 1.0 / rate_rps
    planned = min(bounds.max_requests, max(1, math.floor(rate_rps * bounds.duration_s)))
    stop_reason = "max_requests" if planned == bounds.max_requests else "duration"

    client = transport()
    await client.open(connections, bounds.timeout_s)
    schedule = _Schedule(client, target, interval, connections, lateness, late_threshold_s, precise_timer)
    try:
        async with asyncio.timeout(bounds.hard_limit_s):
            if bounds.warmup_s > 0:
                # The same schedule at the same rate, results discarded: opens the connections
                # the rate needs without a burst the configured load would never produce.
                warm = min(bounds.max_requests, max(1, math.floor(rate_rps * bounds.warmup_s)))
                await schedule.run(Recorder(target, time.perf_counter()), warm, bounds.timeout_s)
            monitor = SelfMonitor(thresholds or ClientBoundThresholds(), judge_cpu=False)
            # A small lead so request 0 is not already late when the loop starts.
            recorder = Recorder(target, time.perf_counter() + 0.002)
            monitor.start()
            await schedule.run(recorder, planned, bounds.timeout_s)
            selfcheck = await monitor.finish(LatencyStats.from_histogram(recorder.timer_lag))
    finally:
        await schedule.cancel()
        await client.close()
    return build_result(
        recorder,
        kind="latency",
        transport=client.name,
        concurrency=connections,
        rate_rps=float(rate_rps),
        duration_s=planned * interval,
        stop_reason=stop_reason,
        scheduled=planned,
        selfcheck=selfcheck,
    )


class _Schedule:
    """Sends `count` requests at `recorder.timeline.start + i * interval`, then drains."""

    def __init__(
        self,
        client: Transport,
        target: HttpTarget,
        interval: float,
        connections: int,
        lateness: float,
        late_threshold_s: float,
        precise: bool,
    ) -> None:
        self.client = client
        self.target = target
        self.interval = interval
        self.lateness = lateness
        self.late_threshold_s = late_threshold_s
        self.precise = precise
        self.slots = asyncio.Semaphore(connections)
        self.tasks: set[asyncio.Task[None]] = set()
        # An exception a transport raised (a bug or bad input, not a target failure): it stops the
        # probe instead of silently leaving a request unaccounted for.
        self.failure: BaseException | None = None

    async def _send_one(self, recorder: Recorder, scheduled: float, sent: float) -> None:
        try:
            outcome = await self.client.send(self.target)
            recorder.done(outcome, start=scheduled, sent=sent, end=time.perf_counter())
        except Exception as error:
            recorder.errors[f"client:{type(error).__name__}"] += 1
            self.failure = self.failure or error
        finally:
            self.slots.release()

    async def run(self, recorder: Recorder, count: int, timeout_s: float) -> None:
        start = recorder.timeline.start
        for i in range(count):
            if self.failure is not None:
                raise self.failure
            scheduled = start + i * self.interval
            await wait_until(scheduled, precise=self.precise)
            woke = time.perf_counter()
            if woke - scheduled > self.lateness:
                recorder.dropped(scheduled)
                continue
            if self.slots.locked():
                try:
                    async with asyncio.timeout(self.lateness - (woke - scheduled)):
                        await self.slots.acquire()
                except TimeoutError:
                    recorder.dropped(scheduled)
                    continue
            else:
                await self.slots.acquire()
            sent = time.perf_counter()
            record_lag(recorder, timer_lag_s=woke - scheduled, send_lag_s=sent - scheduled)
            recorder.sent(scheduled, late=sent - scheduled > self.late_threshold_s)
            task = asyncio.create_task(self._send_one(recorder, scheduled, sent))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        if self.tasks:
            # Each send is bounded by the transport timeout; this wait is only a backstop.
            _, pending = await asyncio.wait(set(self.tasks), timeout=timeout_s + 1.0)
            if pending:
                recorder.errors["unfinished"] += len(pending)
                await self.cancel()
        if self.failure is not None:
            raise self.failure

    async def cancel(self) -> None:
        await cancel_and_wait(self.tasks)


async def cancel_and_wait(tasks: set[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
