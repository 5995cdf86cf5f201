"""A probe watching itself: its own CPU use and event-loop lag, and the client-bound verdict.

A Python event loop uses at most one core. When the probe thread is busy for most of the
window, or callbacks wait long in the loop's ready queue, responses are processed late and the
probe's own queueing would be reported as the target's latency (and its own ceiling as the
target's capacity). Such a result is marked `client_bound` with the reasons; it is never
silently reported as a property of the target.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

from ._histogram import LatencyStats, new_histogram, record_seconds


@dataclass(frozen=True)
class ClientBoundThresholds:
    """Above any of these the result is marked client-bound."""

    # Share of one core the probe's event-loop thread used (closed loop only: the open loop's
    # precise timer spins on purpose, so its CPU share says nothing about saturation).
    cpu_fraction: float = 0.85
    # p99 of how late a periodic callback ran (timer overshoot + ready-queue wait; floor ~1 ms).
    loop_lag_p99_s: float = 0.005
    # p99 of how late the open-loop scheduler itself woke up (not counting waits for a free
    # connection, which are the target's doing).
    timer_lag_p99_s: float = 0.005
    # A p99 of fewer samples is the worst of a handful of wake-ups, i.e. one hiccup of a shared
    # machine: a window too short for this many samples is reported as too short to judge, never as
    # client-bound. (The loop-lag count is the window's, wall / interval: a saturated loop records
    # fewer ticks than it should, and that must not hide the saturation.)
    min_lag_samples: int = 50
    # A CPU share measured over a shorter window is a handful of callbacks, not saturation (a level
    # whose connections were all refused ends in about a millisecond of pure bookkeeping).
    min_cpu_window_s: float = 0.1


@dataclass(frozen=True)
class SelfCheck:
    wall_s: float
    cpu_s: float
    cpu_fraction: float
    process_cpu_fraction: float
    loop_lag: LatencyStats
    timer_lag: LatencyStats | None
    client_bound: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    # Figures that were not judged, and why ("too short to judge").
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "wall_s": self.wall_s,
            "cpu_s": self.cpu_s,
            "cpu_fraction": self.cpu_fraction,
            "process_cpu_fraction": self.process_cpu_fraction,
            "loop_lag": self.loop_lag.to_dict(),
            "timer_lag": self.timer_lag.to_dict() if self.timer_lag else None,
            "client_bound": self.client_bound,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
        }


def judge_client_bound(
    *,
    cpu_fraction: float | None,
    loop_lag_p99_s: float | None,
    timer_lag_p99_s: float | None,
    thresholds: ClientBoundThresholds,
    judge_cpu: bool = True,
    loop_lag_samples: int | None = None,
    timer_lag_samples: int | None = None,
    wall_s: float | None = None,
) -> tuple[str, ...]:
    """Reasons the client was the bottleneck; empty when it was not. Pure, for unit tests.

    `cpu_fraction` is judged only when `judge_cpu`; it also explains a high loop lag (a busy
    probe vs. a probe the OS did not schedule because the machine was busy). A lag whose sample
    count is given and below `thresholds.min_lag_samples` is not judged (see `unjudged_lags`),
    nor a CPU share over a window (`wall_s`) shorter than `thresholds.min_cpu_window_s`.
    """
    if wall_s is not None and wall_s < thresholds.min_cpu_window_s:
        judge_cpu = False
    if _too_few(loop_lag_samples, thresholds):
        loop_lag_p99_s = None
    if _too_few(timer_lag_samples, thresholds):
        timer_lag_p99_s = None
    reasons = []
    if judge_cpu and cpu_fraction is not None and cpu_fraction >= thresholds.cpu_fraction:
        reasons.append(
            f"probe thread used {cpu_fraction:.0%} of a core (limit {thresholds.cpu_fraction:.0%}): "
            "throughput is the probe's ceiling, not the target's"
        )
    if loop_lag_p99_s is not None and loop_lag_p99_s > thresholds.loop_lag_p99_s:
        cause = "responses waited in the probe before being timed"
        if cpu_fraction is not None and cpu_fraction < 0.5:
            cause += (
                f" (probe thread at only {cpu_fraction:.0%} CPU: the OS did not run it promptly, "
                "the machine's cores were busy, e.g. with the target itself)"
            )
        reasons.append(
            f"event-loop lag p99 {loop_lag_p99_s * 1e3:.2f} ms "
            f"(limit {thresholds.loop_lag_p99_s * 1e3:.2f} ms): {cause}"
        )
    if timer_lag_p99_s is not None and timer_lag_p99_s > thresholds.timer_lag_p99_s:
        reasons.append(
            f"send scheduler late by {timer_lag_p99_s * 1e3:.2f} ms at p99 "
            f"(limit {thresholds.timer_lag_p99_s * 1e3:.2f} ms): the probe could not keep the arrival rate"
        )
    return tuple(reasons)


def _too_few(samples: int | None, thresholds: ClientBoundThresholds) -> bool:
    return samples is not None and samples < thresholds.min_lag_samples


def unjudged_lags(
    thresholds: ClientBoundThresholds,
    *,
    loop_lag: LatencyStats,
    timer_lag: LatencyStats | None = None,
    loop_window_samples: int | None = None,
) -> tuple[str, ...]:
    """One note per lag figure with too few samples to call the run client-bound (the loop lag's
    count is `loop_window_samples`, what the window allows, when given)."""
    notes = []
    counts = (
        ("event-loop lag", loop_lag, loop_lag.count if loop_window_samples is None else loop_window_samples),
        ("send scheduler lag", timer_lag, timer_lag.count if timer_lag else 0),
    )
    for name, stats, count in counts:
        if stats is not None and _too_few(count, thresholds):
            shown = f", p99 {stats.p99_s * 1e3:.2f} ms" if stats.p99_s is not None else ""
            notes.append(
                f"{name}: {count} samples{shown}, too short to judge (at least {thresholds.min_lag_samples} needed)"
            )
    return tuple(notes)


class LoopLagMonitor:
    """Every `interval_s`, how late a callback runs compared with when it was due.

    The figure covers both ways a busy probe delays its own timing: timers firing late (the
    loop was stuck in long callbacks, or the OS did not give the thread a core) and callbacks
    waiting in the ready queue. Its floor is the ~1 ms timer granularity of epoll, so
    thresholds should sit well above that.
    """

    def __init__(self, interval_s: float = 0.01) -> None:
        self.interval_s = interval_s
        self.histogram = new_histogram()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> LatencyStats:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return LatencyStats.from_histogram(self.histogram)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = time.perf_counter() + self.interval_s
            await asyncio.sleep(self.interval_s)
            loop.call_soon(self._ran, due)

    def _ran(self, due: float) -> None:
        record_seconds(self.histogram, time.perf_counter() - due)


class CpuMeter:
    """CPU time of the calling thread (the probe's event loop) and of the whole process."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._wall0 = self._thread0 = self._proc0 = 0.0

    def start(self) -> None:
        self._wall0 = time.perf_counter()
        self._thread0 = time.thread_time()
        times = self._process.cpu_times()
        self._proc0 = times.user + times.system

    def stop(self) -> tuple[float, float, float, float]:
        """(wall_s, thread_cpu_s, thread_cpu_fraction, process_cpu_fraction)."""
        wall = max(time.perf_counter() - self._wall0, 1e-9)
        thread_cpu = time.thread_time() - self._thread0
        times = self._process.cpu_times()
        proc_cpu = times.user + times.system - self._proc0
        return wall, thread_cpu, thread_cpu / wall, proc_cpu / wall


class SelfMonitor:
    """Start at the beginning of the measured window, `finish` at its end."""

    def __init__(self, thresholds: ClientBoundThresholds, *, judge_cpu: bool) -> None:
        self.thresholds = thresholds
        self.judge_cpu = judge_cpu
        self.loop = LoopLagMonitor()
        self.cpu = CpuMeter()

    def start(self) -> None:
        self.cpu.start()
        self.loop.start()

    async def finish(self, timer_lag: LatencyStats | None = None) -> SelfCheck:
        wall, cpu_s, cpu_fraction, proc_fraction = self.cpu.stop()
        loop_lag = await self.loop.stop()
        window_samples = int(wall / self.loop.interval_s)
        reasons = judge_client_bound(
            cpu_fraction=cpu_fraction,
            judge_cpu=self.judge_cpu,
            loop_lag_p99_s=loop_lag.p99_s,
            timer_lag_p99_s=timer_lag.p99_s if timer_lag else None,
            thresholds=self.thresholds,
            loop_lag_samples=window_samples,
            timer_lag_samples=timer_lag.count if timer_lag else None,
            wall_s=wall,
        )
        return SelfCheck(
            wall_s=wall,
            cpu_s=cpu_s,
            cpu_fraction=cpu_fraction,
            process_cpu_fraction=proc_fraction,
            loop_lag=loop_lag,
            timer_lag=timer_lag,
            client_bound=bool(reasons),
            reasons=reasons,
            notes=unjudged_lags(
                self.thresholds, loop_lag=loop_lag, timer_lag=timer_lag, loop_window_samples=window_samples
            ),
        )
