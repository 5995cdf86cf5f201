"""The dialect seam: the same checks in both dialects, `auto` deciding in one round trip, and the
wrong envelope handed over ON PURPOSE ending the exchange at once as a dialect mismatch (never a
timeout, never a false "the connection no longer answered a ping")."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from workbook import Checks, probes
from workbook.mcp import (
    ErrorCaseResult,
    McpClient,
    McpDialectError,
    case_problems,
    probe_mcp,
    run_functional_checks,
)
from workbook.sandbox import ServiceContext

# Well under a second, on a loaded shared machine: the old client waited 20 s for an `id` that never came.
AT_ONCE_S = 1.0


def test_mcp_client_meets_a_flat_reply_and_names_it_at_once(brain: dict[str, str]) -> None:
    async def initialize() -> McpDialectError:
        async with await McpClient.open(brain["ws_url"], message_timeout_s=20) as client:
            with pytest.raises(McpDialectError) as raised:
                await client.initialize("2025-06-18")
            # Every later request on that connection fails the same way, without being sent.
            with pytest.raises(McpDialectError):
                await client.ping()
            return raised.value

    started = time.perf_counter()
    error = asyncio.run(initialize())
    assert time.perf_counter() - started < AT_ONCE_S
    assert error.dialect == "mcp-jsonrpc" and error.url == brain["ws_url"]
    assert error.frame == {"status": "error", "message": "Missing 'tool' field in message"}
    assert "does not speak mcp-jsonrpc: it answered" in str(error)


@pytest.mark.parametrize(("spoken", "url_key"), [("mcp-jsonrpc", "ws_url"), ("tool-json", "mcp_url")])
def test_the_wrong_envelope_ends_every_check_as_a_dialect_error_at_once(
    brain: dict[str, str], spoken: str, url_key: str
) -> None:
    url = brain[url_key]
    started = time.perf_counter()
    results = run_functional_checks(url, dialect=spoken, open_timeout_s=5.0, message_timeout_s=20.0)
    report = probe_mcp(url, dialect=spoken, connect_samples=2, calls_per_tool=2, concurrency_levels=(1, 5))
    elapsed = time.perf_counter() - started
    assert elapsed < AT_ONCE_S, elapsed
    for result in results:
        assert not result.passed and not result.problems  # nothing judged: could not check
        assert result.could_not_check is not None and result.could_not_check["reason"] == "dialect"
        assert f"does not speak {spoken}" in result.detail
    assert report.not_speaking is not None and report.not_speaking["dialect"] == spoken
    assert report.concurrency == () and report.tool_calls == {}  # the probe stopped: no figure from it


def test_notebook_30_checks_end_in_error_not_fail_against_the_other_dialect(
    brain: dict[str, str], tmp_path: Path
) -> None:
    settings = probes.PerfSettings.of(ws_url=brain["ws_url"], brain_protocol="mcp-jsonrpc", ws_concurrency_levels=[1])
    run = probes.PerfRun.open(settings, tmp_path)
    started = time.perf_counter()
    run.probe_mcp()
    checks = Checks("30_perf_probes", probes.CHECKS, results_dir=tmp_path)
    brain_checks = [c for c in probes.CHECKS if c.startswith(("mcp_", "budget_ws", "budget_embedding"))]
    for check_id in brain_checks:
        if check_id == "mcp_reconnect":
            continue  # live-style settings: no admin URL, so it skips
        with checks.run(check_id) as c:
            getattr(probes, f"check_{check_id}")(c, run)
    elapsed = time.perf_counter() - started
    statuses = {r.id: r.status for r in checks.results}
    assert set(statuses.values()) == {"error"}, {r.id: r.detail for r in checks.results}
    assert all("does not speak mcp-jsonrpc" in r.detail for r in checks.results)
    assert elapsed < 2 * AT_ONCE_S, elapsed


@pytest.mark.parametrize(("url_key", "found"), [("ws_url", "tool-json"), ("mcp_url", "mcp-jsonrpc")])
def test_auto_decides_in_one_round_trip_and_reports_it(brain: dict[str, str], url_key: str, found: str) -> None:
    report = probe_mcp(brain[url_key], dialect="auto", connect_samples=1, calls_per_tool=1, concurrency_levels=(1,))
    assert report.dialect == found and report.settings["auto_detected"]["dialect"] == found
    assert report.not_speaking is None and report.concurrency[0].success_rate == 1.0
    assert all(summary.success_rate == 1.0 for summary in report.tool_calls.values())
    results = run_functional_checks(brain[url_key], dialect="auto")
    assert all(r.passed and r.data["auto_detected"] == found for r in results), [r.detail for r in results]


def test_auto_names_a_server_that_speaks_neither(in_thread_echo: str) -> None:
    started = time.perf_counter()
    report = probe_mcp(in_thread_echo, dialect="auto", connect_samples=1, calls_per_tool=1)
    assert time.perf_counter() - started < AT_ONCE_S
    assert report.not_speaking is not None
    assert report.not_speaking["dialect"] == "tool-json or mcp-jsonrpc"
    assert '"echo"' in report.not_speaking["frame"]


def test_a_ping_is_blamed_only_when_one_was_sent() -> None:
    never_probed = ErrorCaseResult("unknown_tool", "{}", "no_reply", False, False, False, expected="an error reply")
    assert "ping" not in case_problems([never_probed], ["unknown_tool"])[0]
    pinged = ErrorCaseResult(
        "unknown_tool", "{}", "no_reply", False, False, False, expected="an error reply", liveness="a ping"
    )
    assert "no longer answered a ping afterwards" in case_problems([pinged], ["unknown_tool"])[0]


def test_nothing_listening_is_unreachable_not_dialect() -> None:
    url = f"ws://127.0.0.1:{ServiceContext.free_port()}/"
    (result, *_) = run_functional_checks(url, dialect="auto", open_timeout_s=2.0)
    assert result.could_not_check is not None and result.could_not_check["reason"] == "unreachable"


@pytest.mark.parametrize(("url_key", "found"), [("ws_url", "tool-json"), ("mcp_url", "mcp-jsonrpc")])
def test_connect_brain_gives_one_interface_in_either_dialect(brain: dict[str, str], url_key: str, found: str) -> None:
    from workbook.mcp import connect_brain

    async def use() -> tuple[str, str, list[dict[str, object]]]:
        session = await connect_brain(brain[url_key], dialect="auto")
        async with session:
            project = f"dialects-{found}"
            made = await session.create_character(project, "Mara", "a lighthouse keeper who paints storms", "tall")
            return session.dialect, made, await session.find_similar(project, "lighthouse keeper", limit=5)

    dialect, made, results = asyncio.run(use())
    assert dialect == found and [str(r["id"]) for r in results] == [made]
