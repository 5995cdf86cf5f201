"""Open-loop accounting: a stalled target shows up as late sends and large scheduled-time
latencies (not a calm p99), and sends that would be too late are dropped and counted."""

from __future__ import annotations

from collections.abc import Callable

from workbook.probes import HttpTarget, latency_probe, throughput_probe

STALL_S = 0.6


def test_stall_shows_as_late_sends_and_large_scheduled_latency(
    target_url: str, stall: Callable[[float, float], None]
) -> None:
    stall(0.3, STALL_S)
    result = latency_probe(
        HttpTarget("ok", f"{target_url}/ok"), rate_rps=100, duration_s=1.5, max_requests=150, connections=4
    )
    assert result.dropped_sends == 0
    # ~60 sends are due during the stall; only 4 connections exist, so most wait for one.
    assert result.late_sends >= 30
    assert result.send_lag is not None and (result.send_lag.max_s or 0) >= STALL_S / 2
    assert (result.latency.p99_s or 0) >= STALL_S / 2
    assert (result.latency.p90_s or 0) >= 0.05
    # The requests themselves were quick once sent: the wait is visible only from the schedule.
    assert (result.service.p50_s or 1) < 0.1
    late_seconds = [row for row in result.timeline if row["late"]]
    assert late_seconds, "the timeline must show when sends were late"


def test_closed_loop_hides_what_open_loop_reports(target_url: str, stall: Callable[[float, float], None]) -> None:
    """The contrast that motivates the latency probe: the same stall barely moves a closed loop's p90."""
    stall(0.3, STALL_S)
    closed = throughput_probe(HttpTarget("ok", f"{target_url}/ok"), concurrency=4, duration_s=1.5, max_requests=5000)
    # 4 samples carry the stall; the rest were sent back to back after it.
    assert (closed.latency.max_s or 0) >= STALL_S / 2
    assert closed.latency.count > 100
    assert (closed.latency.p90_s or 1) < STALL_S / 2


def test_sends_later_than_max_lateness_are_dropped_and_fail_the_success_rate(
    target_url: str, stall: Callable[[float, float], None]
) -> None:
    stall(0.2, 0.8)
    result = latency_probe(
        HttpTarget("ok", f"{target_url}/ok"),
        rate_rps=100,
        duration_s=1.2,
        max_requests=120,
        connections=2,
        max_lateness_s=0.2,
    )
    assert result.dropped_sends >= 20
    assert result.sent + result.dropped_sends == result.scheduled == 120
    assert result.success_rate <= (120 - result.dropped_sends) / 120
    assert sum(row["dropped"] for row in result.timeline) == result.dropped_sends
