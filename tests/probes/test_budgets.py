"""Budget evaluation: pass/fail per budget with measured values, defaults from the seed table."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest

from probes.mcp_reports import level, report
from workbook import Checks, probes
from workbook.probes import (
    CHECKS,
    SEED_BUDGETS,
    HttpTarget,
    PerfBudgets,
    PerfRun,
    PerfSettings,
    ProbeConfigError,
    budget_table,
    evaluate_http_budgets,
    evaluate_mcp_budgets,
    latency_probe,
    throughput_probe,
)
from workbook.probes._transport import Outcome
from workbook.timing import ClientBoundThresholds

BUDGET_IDS = [check_id for check_id in CHECKS if check_id.startswith("budget_")]


def run_with(tmp_path: Path, latency: list[probes.ProbeResult], **settings: object) -> PerfRun:
    return PerfRun(PerfSettings.of(**settings), (), tmp_path, latency=latency)  # type: ignore[arg-type]


TARGET = HttpTarget("fake", "http://127.0.0.1:9/health")


class FakeTransport:
    """Answers after `delay_s` with 200, or 500 for a seeded fraction of requests; no network."""

    name = "fake"
    delay_s = 0.005
    failure_rate = 0.0

    def __init__(self) -> None:
        self._random = random.Random(7)

    async def open(self, connections: int, timeout_s: float) -> None:
        pass

    async def send(self, target: HttpTarget) -> Outcome:
        await asyncio.sleep(self.delay_s)
        return Outcome(500 if self._random.random() < self.failure_rate else 200, 2)

    async def close(self) -> None:
        pass


class HalfFailing(FakeTransport):
    failure_rate = 0.5


def test_seed_defaults() -> None:
    assert SEED_BUDGETS.ws_connect_s == 2.0
    assert SEED_BUDGETS.ws_round_trip_s == 5.0
    assert SEED_BUDGETS.ws_min_success_rate == 0.8
    assert SEED_BUDGETS.success_max_connections == 10
    assert SEED_BUDGETS.health_response_s == 2.0
    assert SEED_BUDGETS.embedding_s == 15.0


def test_http_budgets_pass_and_fail_on_the_measured_value() -> None:
    lat = latency_probe(TARGET, rate_rps=100, duration_s=0.3, max_requests=30, transport=FakeTransport)
    load = [
        throughput_probe(TARGET, concurrency=c, duration_s=0.2, max_requests=40, transport=FakeTransport)
        for c in (5, 20)
    ]
    health, success = evaluate_http_budgets([lat], load, SEED_BUDGETS)
    assert health.passed and success.passed
    assert health.measured == lat.latency.max_s
    assert 0.005 <= (health.measured or 0) < 2.0
    # The 20-connection run is above the seed's 10-connection limit and does not count.
    assert set(success.values["per_level"]) == {"fake x5", "fake @ 100 req/s"}

    strict = PerfBudgets(health_response_s=0.001)
    health, _ = evaluate_http_budgets([lat], load, strict)
    assert not health.passed
    assert health.measured == lat.latency.max_s


def test_http_success_budget_fails_below_minimum() -> None:
    failing = throughput_probe(TARGET, concurrency=5, duration_s=0.3, max_requests=200, transport=HalfFailing)
    assert 0.3 < failing.success_rate < 0.7
    _, success = evaluate_http_budgets([], [failing], SEED_BUDGETS)
    assert not success.passed
    assert success.measured == failing.success_rate


def test_nothing_measured_fails_never_passes() -> None:
    health, success = evaluate_http_budgets([], [], SEED_BUDGETS)
    assert not health.passed and health.measured is None
    assert not success.passed
    outcomes = evaluate_mcp_budgets(None, SEED_BUDGETS)
    assert [o.id for o in outcomes] == [
        "budget_ws_connect",
        "budget_ws_round_trip",
        "budget_ws_success",
        "budget_embedding",
    ]
    assert not any(o.passed for o in outcomes)


def test_each_budget_is_one_check_with_measured_values(tmp_path: Path) -> None:
    lat = latency_probe(TARGET, rate_rps=100, duration_s=0.2, max_requests=20, transport=FakeTransport)
    run = run_with(tmp_path, [lat])
    checks = Checks("30_perf_probes", CHECKS, results_dir=tmp_path)
    for check_id in BUDGET_IDS:
        with checks.run(check_id) as c:
            getattr(probes, f"check_{check_id}")(c, run)
    results = json.loads((tmp_path / "results.json").read_text())
    by_id = {c["id"]: c for c in results["checks"]}
    assert set(by_id) == set(BUDGET_IDS)
    assert by_id["budget_health_response"]["status"] == "pass"
    assert by_id["budget_health_response"]["measured"]["measured"] == lat.latency.max_s
    assert by_id["budget_health_response"]["service"] == "brain"
    # No brain configured: its budgets are not judged (a skip saying so), never failed unmeasured.
    assert by_id["budget_ws_connect"]["status"] == "skip"
    assert "brain_service is empty" in by_id["budget_ws_connect"]["detail"]
    table = budget_table(run.outcomes())
    assert list(table["result"]) == ["PASS", "PASS", "FAIL", "FAIL", "FAIL", "FAIL"]


def test_bad_budget_values_are_rejected_by_name() -> None:
    with pytest.raises(ProbeConfigError, match=r"'ws_min_success_rate': value 80"):
        PerfBudgets.of(ws_min_success_rate=80)
    with pytest.raises(ProbeConfigError, match=r"unknown setting 'health_s'"):
        PerfBudgets.of(health_s=2)
    with pytest.raises(ProbeConfigError, match="'statistic': value 'p95'"):
        PerfBudgets.of(statistic="p95")
    with pytest.raises(ProbeConfigError, match=r"'budgets\.embedding_s': value 0"):
        PerfSettings.of(budgets={"embedding_s": 0})


def test_self_check_errors_only_when_the_probes_own_delay_could_change_a_verdict(tmp_path: Path) -> None:
    # Thresholds of zero mark any run client-bound; the loop's ~1 ms timer lag is then its delay.
    touchy = ClientBoundThresholds(cpu_fraction=0.0, loop_lag_p99_s=0.0, timer_lag_p99_s=0.0, min_lag_samples=1)
    lat = latency_probe(
        TARGET, rate_rps=100, duration_s=0.3, max_requests=30, transport=FakeTransport, thresholds=touchy
    )
    assert lat.client_bound

    lenient = Checks("30_perf_probes", CHECKS, results_dir=tmp_path / "a")
    with lenient.run("probe_self_check") as c:
        probes.check_probe_self_check(c, run_with(tmp_path, [lat]))
    (passed,) = lenient.results
    assert passed.status == "pass"
    assert "CLIENT-BOUND" in passed.detail
    assert passed.measured["latency_client_bound"] == {"fake @ 100 req/s": True}

    strict = Checks("30_perf_probes", CHECKS, results_dir=tmp_path / "b")
    with strict.run("probe_self_check") as c:
        probes.check_probe_self_check(c, run_with(tmp_path, [lat], budgets={"health_response_s": 0.000_1}))
    (errored,) = strict.results
    assert (errored.status, errored.reason) == ("error", "setup"), "the probe's own delay accuses no platform"
    assert "can change a verdict" in errored.detail


# --- the one MCP verdict (what tests/mcp/test_mcp_models.py used to judge there) -----------------


def by_id(outcomes: list[probes.ProbeResult] | list) -> dict:  # type: ignore[type-arg]
    return {outcome.id: outcome for outcome in outcomes}


def test_mcp_budgets_compare_the_chosen_statistic() -> None:
    outcomes = by_id(evaluate_mcp_budgets(report(), SEED_BUDGETS))
    assert outcomes["budget_ws_connect"].passed and outcomes["budget_ws_connect"].measured == 1.5
    assert not by_id(evaluate_mcp_budgets(report(), PerfBudgets(ws_connect_s=1.0)))["budget_ws_connect"].passed
    p50 = PerfBudgets(ws_connect_s=1.0, statistic="p50")
    assert by_id(evaluate_mcp_budgets(report(), p50))["budget_ws_connect"].passed
    assert "1 tool calls failed" in outcomes["budget_ws_round_trip"].detail


def test_mcp_success_budget_is_strictly_greater_and_only_up_to_the_limit() -> None:
    levels = (level(5, 21), level(10, 40), level(20, 10))
    success = by_id(evaluate_mcp_budgets(report(levels), SEED_BUDGETS))["budget_ws_success"]
    # 84 % at 5 connections, exactly 80 % at 10 (not > 80 %); 20 connections is a load level.
    assert not success.passed and success.measured == 0.8
    assert success.values["per_level"] == {"5 connections": 0.84, "10 connections": 0.8}


def test_mcp_nothing_measured_never_passes() -> None:
    outcomes = by_id(evaluate_mcp_budgets(report(rtt=()), SEED_BUDGETS))
    assert not outcomes["budget_ws_round_trip"].passed and outcomes["budget_ws_round_trip"].measured is None
    assert not outcomes["budget_ws_success"].passed and "not measured" in outcomes["budget_ws_success"].detail


def test_mcp_client_bound_levels_are_named_in_the_verdict() -> None:
    success = by_id(evaluate_mcp_budgets(report((level(10, 50, cpu=0.95),)), SEED_BUDGETS))["budget_ws_success"]
    assert success.passed and success.client_bound and "CLIENT-BOUND run(s) ['10 connections']" in success.detail


def test_brain_budgets_whose_probe_never_ran_end_as_setup_errors(tmp_path: Path) -> None:
    services = {"brain": {"ws_url": "ws://127.0.0.1:9/"}}
    run = run_with(tmp_path, [], services=services, brain_service="brain")  # the probe cell was skipped
    checks = Checks("30_perf_probes", CHECKS, results_dir=tmp_path)
    with checks.run("budget_ws_connect") as c:
        probes.check_budget_ws_connect(c, run)
    (result,) = checks.results
    assert (result.status, result.reason) == ("error", "setup") and "did not run" in result.detail
