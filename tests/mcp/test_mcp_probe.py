"""The MCP WebSocket probe against the brain stand-in, including each fault switch.

No test asserts a speed: latency assertions are lower bounds set by injected delays.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from workbook import UsageError
from workbook.mcp import (
    McpClient,
    McpTimeoutError,
    McpUsageError,
    functional_frame,
    probe_concurrency,
    probe_error_cases,
    probe_mcp,
    probe_reconnect,
    run_functional_checks,
)
from workbook.probes import PerfBudgets, evaluate_mcp_budgets
from workbook.sandbox import ServiceContext, set_faults
from workbook.sandbox.brain._protocol import INVALID_PARAMS, METHOD_NOT_FOUND, PARSE_ERROR, RpcError, Session
from workbook.sandbox.brain._store import Character, CharacterStore

InThread = Callable[..., AbstractContextManager[str]]
SMALL: dict[str, Any] = {
    "connect_samples": 2,
    "calls_per_tool": 3,
    "concurrency_levels": (),
    "reconnect_calls": 0,
    "error_cases": False,
}


def by_budget(report: Any, budgets: PerfBudgets | None = None) -> dict[str, Any]:
    """The one verdict on a report: `workbook.probes` judges what `workbook.mcp` measured."""
    return {outcome.id: outcome for outcome in evaluate_mcp_budgets(report, budgets or PerfBudgets())}


def test_full_probe_against_the_stand_in(brain: dict[str, str]) -> None:
    report = probe_mcp(
        brain["mcp_url"],
        connect_samples=5,
        calls_per_tool=5,
        concurrency_levels=(1, 5, 10, 20),
        calls_per_connection=3,
        reconnect_calls=5,
    )
    assert report.connect.succeeded == 5 and report.connect.errors == {}
    assert report.handshake.ok and report.handshake.negotiated_version == "2025-11-25"
    assert report.handshake.server_info["name"] == "workbook-brain-standin"
    assert report.tools.names == ["create_character", "find_similar_characters", "update_character", "delete_character"]
    assert report.tools.embedding is not None and report.tools.embedding["kind"] == "deterministic-fallback"
    for summary in report.tool_calls.values():
        assert summary.attempted == summary.succeeded == 5
    assert [(lv.connections, lv.connections_opened, lv.success_rate) for lv in report.concurrency] == [
        (1, 1, 1.0),
        (5, 5, 1.0),
        (10, 10, 1.0),
        (20, 20, 1.0),
    ]
    versions = report.versions_frame()
    assert list(versions["requested"]) == ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
    assert list(versions["negotiated"]) == list(versions["requested"]) and versions["ok"].all()
    assert report.reconnect is not None and not report.reconnect.exercised
    assert report.reconnect.calls_succeeded == 5
    cases = {case.case: case for case in report.error_cases}
    assert set(cases) == {
        "unknown_method",
        "bad_params",
        "unknown_tool",
        "bad_tool_arguments",
        "missing_tool_argument",
        "malformed_json",
        "invalid_request",
    }
    assert all(case.accepted and case.spec_exact and case.usable_after for case in cases.values())
    assert (cases["unknown_method"].code, cases["malformed_json"].code) == (-32601, -32700)
    assert all(outcome.passed for outcome in by_budget(report).values()), by_budget(report)
    # Every view a notebook shows, and the JSON form for results.json.
    assert list(report.latency_frame()["operation"])[:3] == ["connect", "initialize", "tools/list"]
    assert len(report.concurrency_frame()) == 4 and len(report.error_cases_frame()) == 7
    document = json.loads(json.dumps(report.to_dict()))
    assert document["tools"]["embedding"]["kind"] == "deterministic-fallback"
    assert len(document["tool_calls"]["create_character"]["samples_s"]) == 5


def test_added_latency_is_measured_in_every_round_trip(brain: dict[str, str]) -> None:
    set_faults(brain["admin_url"], {"added_latency_ms": 120})
    floor = 0.119  # the injected 120 ms, less asyncio's clock-resolution slack
    report = probe_mcp(brain["mcp_url"], **{**SMALL, "concurrency_levels": (3,), "calls_per_connection": 2})
    assert report.handshake.latency_s is not None and report.handshake.latency_s >= floor
    for summary in report.tool_calls.values():
        assert summary.succeeded == 3 and min(summary.samples_s) >= floor
    assert min(report.concurrency[0].round_trip.samples_s) >= floor
    budgets = by_budget(report, PerfBudgets(ws_round_trip_s=0.1))
    assert not budgets["budget_ws_round_trip"].passed
    assert budgets["budget_ws_connect"].passed  # the switch delays replies, not the WebSocket opening
    assert by_budget(report)["budget_ws_round_trip"].passed


def test_dropped_connections_count_as_failures_and_reconnects(brain: dict[str, str]) -> None:
    # The 7th message of every connection (handshake = 2 messages, then 4 calls) is never answered.
    set_faults(brain["admin_url"], {"drop_connections": 6})
    result = probe_reconnect(brain["mcp_url"], calls=20)
    assert result.exercised
    assert (result.drops, result.reconnects_ok, result.reconnects_failed) == (4, 3, 0)
    assert result.calls_succeeded == 16 and result.success_rate == pytest.approx(0.8)
    assert result.messages_before_drop == (7, 7, 7, 7)
    assert result.errors == {"connection_closed": 4}
    assert result.reconnect.succeeded == 3

    [level] = probe_concurrency(brain["mcp_url"], (5,), calls_per_connection=5)
    assert (level.calls_succeeded, level.calls_planned) == (20, 25)
    assert level.errors == {"connection_closed": 5}

    report = probe_mcp(brain["mcp_url"], **{**SMALL, "concurrency_levels": (5,), "calls_per_connection": 5})
    rate = by_budget(report)["budget_ws_success"]
    assert not rate.passed and rate.measured == 0.8 and rate.values["per_level"] == {"5 connections": 0.8}
    # The main session: initialize + initialized + tools/list + 3 calls, then the 4th call is dropped.
    assert sum(summary.succeeded for summary in report.tool_calls.values()) == 3
    assert sum(s.errors.get("connection_closed", 0) for s in report.tool_calls.values()) == 3


def test_error_rate_is_counted_by_kind_and_reproducible(brain: dict[str, str]) -> None:
    options = {**SMALL, "calls_per_tool": 20}
    set_faults(brain["admin_url"], {"error_rate": 0.5})
    first = probe_mcp(brain["mcp_url"], **options)
    set_faults(brain["admin_url"], {"error_rate": 0.5})  # setting the switch reseeds its RNG
    second = probe_mcp(brain["mcp_url"], **options)
    errors = [dict(s.errors) for s in first.tool_calls.values()]
    assert errors == [dict(s.errors) for s in second.tool_calls.values()]
    failed = sum(e.get("rpc_error:-32603", 0) for e in errors)
    assert set().union(*errors) == {"rpc_error:-32603"}
    assert 10 <= failed <= 30  # of 40 calls at rate 0.5

    set_faults(brain["admin_url"], {"error_rate": 1.0})
    [level] = probe_concurrency(brain["mcp_url"], (2,), calls_per_connection=3)
    assert level.success_rate == 0.0 and level.errors == {"rpc_error:-32603": 6}


class SilentSession(Session):
    """Like mcp SDK 1.x servers: malformed input gets no reply, unknown methods get -32602."""

    async def handle(self, raw: str | bytes) -> dict[str, Any] | None:
        reply = await super().handle(raw)
        if reply is None or "error" not in reply:
            return reply
        code = reply["error"]["code"]
        if code in (PARSE_ERROR, -32600):
            return None
        if code == METHOD_NOT_FOUND:
            reply["error"] = RpcError(INVALID_PARAMS, "Invalid request parameters").body()
        return reply


def test_no_reply_to_malformed_input_is_handled_by_the_message_timeout(in_thread_brain: InThread) -> None:
    with in_thread_brain(session_factory=SilentSession) as ws_url:
        started = time.monotonic()
        cases = {case.case: case for case in probe_error_cases(ws_url, no_reply_timeout_s=0.3)}
        elapsed = time.monotonic() - started
    for name in ("malformed_json", "invalid_request"):
        case = cases[name]
        assert case.outcome == "no_reply" and case.accepted and not case.spec_exact and case.usable_after
        assert case.latency_s is not None and case.latency_s >= 0.29
    assert cases["unknown_method"].code == -32602
    assert cases["unknown_method"].accepted and not cases["unknown_method"].spec_exact
    assert elapsed < 30  # bounded by the per-message timeout, not hung


def test_client_request_times_out_when_no_reply_comes(in_thread_brain: InThread) -> None:
    class Mute(Session):
        async def handle(self, raw: str | bytes) -> dict[str, Any] | None:
            await super().handle(raw)
            return None

    async def run(ws_url: str) -> McpTimeoutError:
        async with await McpClient.open(ws_url, message_timeout_s=0.2) as client:
            with pytest.raises(McpTimeoutError) as raised:
                await client.ping()
            return raised.value

    with in_thread_brain(session_factory=Mute) as ws_url:
        error = asyncio.run(run(ws_url))
    assert error.method == "ping" and error.timeout_s == 0.2 and "0.2 s" in str(error)


def test_version_negotiation_is_reported(brain: dict[str, str]) -> None:
    report = probe_mcp(brain["mcp_url"], **SMALL, versions=("2024-11-05", "2099-01-01"))
    rows = report.versions_frame().to_dict("records")
    assert [(r["requested"], r["negotiated"], r["ok"]) for r in rows] == [
        ("2024-11-05", "2024-11-05", True),
        ("2099-01-01", "2025-11-25", True),  # the server answers with its latest; the client speaks it
    ]


class StatelessSession(Session):
    """A 2026-07-28-era server: no initialize, but server/discover."""

    async def _request(self, method: str, params: Any) -> dict[str, Any]:
        if method == "initialize":
            raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")
        if method == "server/discover":
            return {"supportedVersions": ["2026-07-28"]}
        return await super()._request(method, params)


def test_a_stateless_era_server_fails_the_handshake_with_a_diagnosis(in_thread_brain: InThread) -> None:
    with in_thread_brain(session_factory=StatelessSession) as ws_url:
        report = probe_mcp(ws_url, **SMALL, versions=())
    assert not report.handshake.ok and report.handshake.error is not None
    assert "rpc_error:-32601" in report.handshake.error and "stateless-era MCP" in report.handshake.error
    assert all(s.errors == {"handshake_failed": 3} for s in report.tool_calls.values())


@pytest.mark.parametrize("dialect", ["auto", "tool-json", "mcp-jsonrpc"])
def test_unreachable_target_is_reported_not_raised(dialect: str) -> None:
    ws_url = f"ws://127.0.0.1:{ServiceContext.free_port()}/mcp"  # nothing listens there
    report = probe_mcp(ws_url, dialect=dialect, **{**SMALL, "concurrency_levels": (2,)})
    if dialect == "auto":
        # Nothing to decide the dialect with: the report says the brain was not reached at all.
        assert report.unreachable is not None and "ConnectionRefusedError" in report.unreachable
        assert report.connect.attempted == 0 and report.concurrency == ()
    else:
        assert report.connect.errors == {"connect_failed": 2}
        assert all(summary.succeeded == 0 and summary.attempted == 3 for summary in report.tool_calls.values())
        assert report.concurrency[0].success_rate == 0.0
    assert not report.handshake.ok and report.handshake.error is not None
    assert not any(outcome.passed for outcome in by_budget(report).values())


def test_the_deadline_bounds_the_run_and_counts_what_was_cut(brain: dict[str, str]) -> None:
    set_faults(brain["admin_url"], {"added_latency_ms": 100})
    report = probe_mcp(brain["mcp_url"], **{**SMALL, "connect_samples": 1, "calls_per_tool": 50, "max_duration_s": 1.0})
    assert report.duration_s < 10
    for summary in report.tool_calls.values():
        assert summary.attempted == 50
        assert summary.errors.get("deadline", 0) > 0


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: probe_mcp("http://127.0.0.1:1/mcp"), "'ws_url': value 'http://127.0.0.1:1/mcp'"),
        (lambda: probe_mcp("ws://127.0.0.1:1/mcp", protocol_version="2026-07-28"), "value '2026-07-28'"),
        (lambda: probe_mcp("ws://127.0.0.1:1/mcp", compression="gzip"), "'compression': value 'gzip'"),
        (lambda: probe_mcp("ws://127.0.0.1:1/mcp", calls_per_tool=0), "'calls_per_tool': value 0"),
        (lambda: probe_mcp("ws://127.0.0.1:1/mcp", calls_per_tool=True), "'calls_per_tool': value True"),
        (lambda: probe_concurrency("ws://127.0.0.1:1/mcp", (5, 0)), "'levels.1': value 0"),
        (lambda: probe_concurrency("ws://127.0.0.1:1/mcp", (500,)), "'levels.0': value 500"),
        (lambda: probe_mcp("ws://127.0.0.1:1/mcp", tool_calls={}), "'tool_calls'"),
        (lambda: probe_mcp("ws://127.0.0.1:1/mcp", no_such_option=1), "unknown setting 'no_such_option'"),
        (lambda: run_functional_checks("ws://127.0.0.1:1/mcp", top_k=1), "'top_k': value 1"),
        (lambda: run_functional_checks("ws://127.0.0.1:1/mcp", ranking="score"), "FIELD:asc|desc"),
    ],
)
def test_bad_arguments_raise_one_clear_error(call: Callable[[], object], needle: str) -> None:
    with pytest.raises(McpUsageError, match=needle) as raised:
        call()
    assert isinstance(raised.value, UsageError)


def test_sync_calls_work_inside_a_running_event_loop(brain: dict[str, str]) -> None:
    async def notebook_cell() -> int:
        # What ipykernel does: the sync API is called while this thread runs a loop.
        return len(probe_error_cases(brain["mcp_url"], no_reply_timeout_s=1.0))

    assert asyncio.run(notebook_cell()) == 7


# --- functional checks ---------------------------------------------------------------------------


def test_functional_checks_pass_on_the_stand_in(brain: dict[str, str]) -> None:
    results = run_functional_checks(brain["mcp_url"])
    assert [(r.check, r.passed) for r in results] == [
        ("tools_listed", True),
        ("tool_execution", True),
        ("project_isolation", True),
    ], functional_frame(results)
    assert all(r.data["dialect"] == "mcp-jsonrpc" and r.data["auto_detected"] == "mcp-jsonrpc" for r in results)
    (only,) = run_functional_checks(brain["mcp_url"], checks=("project_isolation",))
    assert only.check == "project_isolation" and only.passed


class LeakyStore(CharacterStore):
    """A broken backend: searches every project (written here, not through the switch)."""

    def similar(self, project_id: str, vector: Any, *, exclude: str | None = None, **_: Any) -> Any:
        hits: list[tuple[Character, float]] = []
        for other in list(self._projects):
            hits += super().similar(other, vector, exclude=exclude)
        return sorted(hits, key=lambda hit: -hit[1])


class UpsideDownStore(CharacterStore):
    """A broken backend: returns the least similar first."""

    def similar(self, project_id: str, vector: Any, *, exclude: str | None = None, **_: Any) -> Any:
        return list(reversed(super().similar(project_id, vector, exclude=exclude)))


def test_functional_checks_fail_on_a_leaky_backend(in_thread_brain: InThread) -> None:
    with in_thread_brain(store=LeakyStore()) as ws_url:
        (result,) = run_functional_checks(ws_url, checks=("project_isolation",))
    assert not result.passed and "returned" in result.detail


def test_functional_checks_fail_on_a_wrong_ranking(in_thread_brain: InThread) -> None:
    with in_thread_brain(store=UpsideDownStore()) as ws_url:
        (result,) = run_functional_checks(ws_url, checks=("tool_execution",))
    assert not result.passed
    assert "not ranked by descending score" in result.detail or "was not the most similar" in result.detail


def test_functional_checks_fail_cleanly_when_the_service_is_down() -> None:
    ws_url = f"ws://127.0.0.1:{ServiceContext.free_port()}/mcp"
    results = run_functional_checks(ws_url, open_timeout_s=2.0)
    assert [r.passed for r in results] == [False, False, False] and not any(r.problems for r in results)
    assert all(r.could_not_check and r.could_not_check["reason"] == "unreachable" for r in results)
    assert all("ConnectionRefusedError" in r.detail for r in results)
