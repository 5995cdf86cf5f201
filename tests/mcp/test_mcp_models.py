"""Report models without a network: statistics, budgets, the client-bound flag."""

from __future__ import annotations

import json

import pytest

from workbook.mcp import (
    ConcurrencyLevel,
    HandshakeResult,
    LatencySummary,
    McpBudgets,
    McpProbeReport,
    ToolsListResult,
)


def level(
    connections: int, succeeded: int, *, cpu_s: float = 0.1, wall_s: float = 1.0, lag_s: float | None = 0.001
) -> ConcurrencyLevel:
    planned = connections * 5
    return ConcurrencyLevel(
        connections=connections,
        connections_opened=connections,
        calls_planned=planned,
        calls_succeeded=succeeded,
        connect=LatencySummary.build("connect", [0.01] * connections),
        round_trip=LatencySummary.build("rtt", [0.02] * succeeded, ["timeout"] * (planned - succeeded)),
        errors={"timeout": planned - succeeded} if planned > succeeded else {},
        wall_s=wall_s,
        hit_deadline=False,
        client_cpu_s=cpu_s,
        loop_lag_p99_s=lag_s,
    )


def report(levels: tuple[ConcurrencyLevel, ...] = (), rtt: tuple[float, ...] = (0.3, 0.4)) -> McpProbeReport:
    return McpProbeReport(
        ws_url="ws://127.0.0.1:1/mcp",
        started_at="2026-11-21T00:00:00+00:00",
        duration_s=1.0,
        settings={},
        connect=LatencySummary.build("connect", [0.1, 0.2, 1.5]),
        handshake=HandshakeResult(True, "2025-11-25", "2025-11-25", latency_s=0.01),
        tools=ToolsListResult(True, latency_s=0.01),
        tool_calls={"create_character": LatencySummary.build("create_character", rtt, ["timeout"])},
        concurrency=levels,
    )


def test_latency_summary_counts_errors_by_kind_and_uses_observed_values() -> None:
    summary = LatencySummary.build("op", [0.3, 0.1, 0.2, 0.4], ["timeout", "timeout", "rpc_error:-32603"])
    assert (summary.attempted, summary.succeeded, summary.failed) == (7, 4, 3)
    assert summary.success_rate == pytest.approx(4 / 7)
    assert summary.errors == {"timeout": 2, "rpc_error:-32603": 1}
    assert summary.stat("p50") == 0.2 and summary.stat("p99") == 0.4 and summary.stat("max") == 0.4
    assert summary.stat("mean") == pytest.approx(0.25)
    empty = LatencySummary.build("none", [], ["timeout"])
    assert empty.stat("p50") is None and empty.success_rate == 0.0
    assert LatencySummary.build("never", []).success_rate is None


def test_budgets_compare_the_chosen_statistic() -> None:
    results = {r.budget: r for r in report().evaluate()}
    assert results["websocket connect"].passed and results["websocket connect"].measured == "1500.00 ms"
    assert not {r.budget: r for r in report().evaluate(McpBudgets(connect_s=1.0))}["websocket connect"].passed
    assert {r.budget: r for r in report().evaluate(McpBudgets(connect_s=1.0, statistic="p50"))}[
        "websocket connect"
    ].passed
    assert "1 attempts failed" in results["message round trip"].detail


def test_success_budget_is_strictly_greater_and_only_up_to_the_limit() -> None:
    results = {r.budget: r for r in report((level(5, 21), level(10, 40), level(20, 10))).evaluate()}
    assert results["success rate at 5 connections"].passed  # 84 %
    assert not results["success rate at 10 connections"].passed  # exactly 80 % is not > 80 %
    assert "success rate at 20 connections" not in results  # load level: reported, not budgeted


def test_nothing_measured_never_passes() -> None:
    empty = report(rtt=())
    results = {r.budget: r for r in empty.evaluate()}
    assert not results["message round trip"].passed and results["message round trip"].measured == "not measured"
    assert not results["success rate (<= 10 connections)"].passed


def test_client_bound_levels_are_flagged_with_reasons() -> None:
    busy, lagging, calm = level(10, 50, cpu_s=0.95), level(10, 50, lag_s=0.02), level(10, 50, cpu_s=0.2)
    assert busy.client_bound_reasons == ("probe thread used 95% of a core",)
    assert lagging.client_bound_reasons == ("probe event-loop lag p99 20.0 ms",)
    assert not calm.client_bound and level(1, 5, lag_s=None).client_bound_reasons == ()
    assert busy.row()["client_bound"] is True
    detail = {r.budget: r for r in report((busy,)).evaluate()}["success rate at 10 connections"].detail
    assert detail.startswith("CLIENT-BOUND (probe thread used 95% of a core)")


def test_frames_and_json_form() -> None:
    full = report((level(1, 5),))
    assert list(full.latency_frame()["operation"]) == ["connect", "initialize", "tools/list", "create_character"]
    assert full.concurrency_frame().loc[0, "success_rate"] == 1.0
    assert set(full.budget_frame().columns) == {"budget", "limit", "measured", "passed", "detail"}
    document = json.loads(json.dumps(full.to_dict()))
    assert document["connect"]["samples_s"] == [0.1, 0.2, 1.5]
    assert document["concurrency"][0]["client_bound"] is False
