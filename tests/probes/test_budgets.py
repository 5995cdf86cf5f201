"""Budget evaluation: pass/fail per budget with measured values, defaults from the seed table."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest

from workbook import Checks
from workbook.probes import (
    BUDGET_CHECKS,
    SEED_BUDGETS,
    HttpTarget,
    Outcome,
    PerfBudgets,
    ProbeConfigError,
    budget_table,
    evaluate_http_budgets,
    evaluate_mcp_budgets,
    latency_probe,
    record_budget_checks,
    throughput_probe,
)

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
    outcomes = evaluate_http_budgets([lat], [], SEED_BUDGETS) + evaluate_mcp_budgets(None, SEED_BUDGETS)
    checks = Checks("30_perf_probes", BUDGET_CHECKS, results_dir=tmp_path)
    record_budget_checks(checks, outcomes)
    results = json.loads((tmp_path / "results.json").read_text())
    by_id = {c["id"]: c for c in results["checks"]}
    assert set(by_id) == set(BUDGET_CHECKS)
    assert by_id["budget_health_response"]["status"] == "pass"
    assert by_id["budget_health_response"]["measured"]["measured"] == lat.latency.max_s
    assert by_id["budget_ws_connect"]["status"] == "fail"
    assert "not measured" in by_id["budget_ws_connect"]["detail"]
    table = budget_table(outcomes)
    assert list(table["result"]) == ["PASS", "PASS", "FAIL", "FAIL", "FAIL", "FAIL"]


def test_bad_budget_values_are_rejected_by_name() -> None:
    with pytest.raises(ProbeConfigError, match=r"ws_min_success_rate.*80"):
        PerfBudgets(ws_min_success_rate=80)
    with pytest.raises(ProbeConfigError, match=r"budget keys.*health_s"):
        PerfBudgets.from_dict({"health_s": 2})
    with pytest.raises(ProbeConfigError, match="statistic"):
        PerfBudgets.from_dict({"statistic": "p95"})


def test_self_check_fails_only_when_the_probes_own_delay_could_change_a_verdict(tmp_path: Path) -> None:
    from workbook.probes import PERF_CHECKS, ClientBoundThresholds, record_self_check

    # Thresholds of zero mark any run client-bound; the loop's ~1 ms timer lag is then its delay.
    touchy = ClientBoundThresholds(cpu_fraction=0.0, loop_lag_p99_s=0.0, timer_lag_p99_s=0.0)
    lat = latency_probe(
        TARGET, rate_rps=100, duration_s=0.3, max_requests=30, transport=FakeTransport, thresholds=touchy
    )
    assert lat.client_bound

    lenient = Checks("30_perf_probes", PERF_CHECKS, results_dir=tmp_path / "a")
    record_self_check(lenient, [lat], [], SEED_BUDGETS)
    (passed,) = lenient.results
    assert passed.status == "pass"
    assert "CLIENT-BOUND" in passed.detail
    assert passed.measured["latency_client_bound"] == {"fake @ 100 req/s": True}

    strict = Checks("30_perf_probes", PERF_CHECKS, results_dir=tmp_path / "b")
    record_self_check(strict, [lat], [], PerfBudgets(health_response_s=0.000_1))
    (failed,) = strict.results
    assert failed.status == "fail"
    assert "can change a verdict" in failed.detail
