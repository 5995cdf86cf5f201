"""The WebSocket budgets read the MCP probe's report correctly: against the brain stand-in they
pass when healthy and fail when its fault switches make it slow or erroring."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from workbook import mcp
from workbook.probes import PerfBudgets, evaluate_mcp_budgets
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
