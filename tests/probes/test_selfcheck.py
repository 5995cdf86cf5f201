"""The client-bound verdict: pure rules, and the flag firing when the probe is saturated on purpose."""

from __future__ import annotations

import time

from workbook.probes import HttpTarget, latency_probe, results_table, throughput_probe
from workbook.probes._aiohttp import AiohttpTransport
from workbook.probes._transport import Outcome
from workbook.timing import ClientBoundThresholds, LatencyStats, judge_client_bound, unjudged_lags

LIMITS = ClientBoundThresholds(cpu_fraction=0.85, loop_lag_p99_s=0.005, timer_lag_p99_s=0.005)


def test_rules_each_reason_fires_alone() -> None:
    assert judge_client_bound(cpu_fraction=0.2, loop_lag_p99_s=0.001, timer_lag_p99_s=0.001, thresholds=LIMITS) == ()
    (cpu,) = judge_client_bound(cpu_fraction=0.95, loop_lag_p99_s=0.001, timer_lag_p99_s=None, thresholds=LIMITS)
    assert "95%" in cpu
    (lag,) = judge_client_bound(cpu_fraction=None, loop_lag_p99_s=0.02, timer_lag_p99_s=None, thresholds=LIMITS)
    assert "event-loop lag" in lag
    (timer,) = judge_client_bound(cpu_fraction=None, loop_lag_p99_s=None, timer_lag_p99_s=0.05, thresholds=LIMITS)
    assert "arrival rate" in timer


class BurningTransport(AiohttpTransport):
    """The real transport plus 2 ms of CPU per request: the client, not the target, is the bottleneck."""

    name = "aiohttp+burn"

    async def send(self, target: HttpTarget) -> Outcome:
        until = time.thread_time() + 0.002
        while time.thread_time() < until:
            pass
        return await super().send(target)


def test_flag_fires_when_the_client_saturates(target_url: str) -> None:
    result = throughput_probe(
        HttpTarget("ok", f"{target_url}/ok"),
        concurrency=8,
        duration_s=1.0,
        max_requests=2000,
        transport=BurningTransport,
    )
    assert result.client_bound
    assert result.selfcheck.reasons
    assert result.to_dict()["client_bound"] is True
    assert bool(results_table([result])["client_bound"].iloc[0]) is True


def test_open_loop_past_the_client_ceiling_is_flagged(target_url: str) -> None:
    # 2 ms of CPU per send caps the probe near 500 sends/s; ask for 2000/s.
    result = latency_probe(
        HttpTarget("ok", f"{target_url}/ok"),
        rate_rps=2000,
        duration_s=0.5,
        max_requests=1000,
        connections=16,
        transport=BurningTransport,
    )
    assert result.client_bound
    assert any("arrival rate" in reason or "event-loop" in reason for reason in result.selfcheck.reasons)


def test_light_load_is_not_flagged(target_url: str) -> None:
    # Thresholds far above anything a healthy 20 req/s run produces, even on a busy machine.
    lenient = ClientBoundThresholds(cpu_fraction=0.99, loop_lag_p99_s=0.25, timer_lag_p99_s=0.25)
    result = latency_probe(
        HttpTarget("ok", f"{target_url}/delay?ms=5"), rate_rps=20, duration_s=1.0, max_requests=20, thresholds=lenient
    )
    assert not result.client_bound, result.selfcheck.reasons
    assert result.selfcheck.timer_lag is not None and result.selfcheck.timer_lag.count == result.sent


def test_cpu_is_not_judged_for_the_open_loop_but_explains_lag() -> None:
    assert (
        judge_client_bound(
            cpu_fraction=0.97, loop_lag_p99_s=0.001, timer_lag_p99_s=0.001, thresholds=LIMITS, judge_cpu=False
        )
        == ()
    )
    (starved,) = judge_client_bound(cpu_fraction=0.2, loop_lag_p99_s=0.02, timer_lag_p99_s=None, thresholds=LIMITS)
    assert "did not run it promptly" in starved


def test_a_lag_of_too_few_samples_is_reported_not_judged() -> None:
    # Issue 16: ~37 loop-lag samples in a 190 ms level; their p99 is one wake-up of a busy machine.
    assert (
        judge_client_bound(
            cpu_fraction=0.2, loop_lag_p99_s=0.05, timer_lag_p99_s=None, thresholds=LIMITS, loop_lag_samples=37
        )
        == ()
    )
    (lag,) = judge_client_bound(
        cpu_fraction=0.2, loop_lag_p99_s=0.05, timer_lag_p99_s=None, thresholds=LIMITS, loop_lag_samples=50
    )
    assert "event-loop lag" in lag
    (note,) = unjudged_lags(LIMITS, loop_lag=LatencyStats.from_samples([0.05] * 37))
    assert "37 samples" in note and "too short to judge" in note
    assert unjudged_lags(LIMITS, loop_lag=LatencyStats.from_samples([0.05] * 50)) == ()
