"""The WebSocket budgets read the MCP probe's report correctly: against the brain stand-in they
pass when healthy and fail when its fault switches make it slow or erroring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from workbook import mcp
from workbook.health import read_health
from workbook.probes import PerfBudgets, PerfRun, PerfSettings, evaluate_http_budgets, evaluate_mcp_budgets
from workbook.sandbox import Sandbox, clear_faults, set_faults


@pytest.fixture(scope="module")
def brain() -> Iterator[dict[str, str]]:
    with Sandbox(["brain"]) as sandbox:
        yield dict(sandbox.outputs["brain"])


def _probe(ws_url: str) -> Any:
    return mcp.probe_mcp(
        ws_url,
        connect_samples=2,
        calls_per_tool=2,
        concurrency_levels=(1, 5),
        calls_per_connection=2,
        reconnect_calls=0,
        error_cases=False,
        max_duration_s=60,
    )


def _by_id(report: Any, budgets: PerfBudgets) -> dict[str, Any]:
    return {outcome.id: outcome for outcome in evaluate_mcp_budgets(report, budgets)}


def test_healthy_brain_meets_the_seed_budgets(brain: dict[str, str]) -> None:
    outcomes = _by_id(_probe(brain["ws_url"]), PerfBudgets())
    assert all(o.passed for o in outcomes.values()), {k: o.detail for k, o in outcomes.items()}
    assert outcomes["budget_ws_success"].measured == 1.0
    assert 0 < (outcomes["budget_ws_connect"].measured or 0) < 2.0


def test_added_latency_fails_the_round_trip_budget(brain: dict[str, str]) -> None:
    set_faults(brain["admin_url"], {"added_latency_ms": 300})
    try:
        report = _probe(brain["ws_url"])
    finally:
        clear_faults(brain["admin_url"])
    outcomes = _by_id(report, PerfBudgets(ws_round_trip_s=0.25, embedding_s=0.25))
    assert not outcomes["budget_ws_round_trip"].passed
    assert (outcomes["budget_ws_round_trip"].measured or 0) >= 0.3
    assert not outcomes["budget_embedding"].passed
    # The same figures are within the seed's generous 5 s / 15 s budgets.
    relaxed = _by_id(report, PerfBudgets())
    assert relaxed["budget_ws_round_trip"].passed and relaxed["budget_embedding"].passed


def test_error_rate_fails_the_success_budget(brain: dict[str, str]) -> None:
    set_faults(brain["admin_url"], {"error_rate": 0.6})
    try:
        report = _probe(brain["ws_url"])
    finally:
        clear_faults(brain["admin_url"])
    success = _by_id(report, PerfBudgets())["budget_ws_success"]
    assert not success.passed
    assert success.measured is not None and success.measured < 0.8


def test_a_hanging_embedding_provider_blocks_health_past_its_budget(brain: dict[str, str], tmp_path: Path) -> None:
    # The real /health calls the embedding API on every request: with the provider hanging, each
    # health request waits out the client's three timeouts and back-off (0.2 s x 3 + 1 + 2 s here).
    services = {"brain": {"url": brain["url"], "ws_url": brain["ws_url"], "health": ["/health"]}}
    settings = PerfSettings.of(
        services=services,
        http_services=["brain"],
        brain_service="",
        arrival_rate_rps=4.0,
        latency_duration_s=1.0,
        latency_max_requests=4,
        concurrency_levels=[2],
        throughput_duration_s=0.5,
        throughput_max_requests=4,
        warmup_s=0.0,
    )
    run = PerfRun.open(settings, tmp_path)
    set_faults(brain["admin_url"], {"embedding_provider_hangs": 0.2})
    try:
        run.probe_latency()
    finally:
        clear_faults(brain["admin_url"])
    health = evaluate_http_budgets(run.latency, run.load, settings.budgets)[0]
    assert health.id == "budget_health_response" and not health.passed
    assert (health.measured or 0) >= 3.5


def test_store_down_answers_200_with_a_degraded_body_that_is_not_read_as_a_pass(brain: dict[str, str]) -> None:
    set_faults(brain["admin_url"], {"store_down": True})
    try:
        response = httpx.get(brain["health_url"], timeout=10)
    finally:
        clear_faults(brain["admin_url"])
    reading = read_health(response.json())
    # The top word says degraded (warn); the store component says unhealthy, which the reader takes as fail.
    assert response.status_code == 200 and reading.verdict == "fail"
    assert reading.words == "status=degraded; neo4j=unhealthy" and reading.blamed == ("neo4j",)
