"""Notebook 30's brain checks against the brain stand-in, without a kernel, in both dialects (the
real brain's `tool-json` at `/`, `mcp-jsonrpc` at `/mcp`): the all-off run passes, each fault
switch fails its named check with a detail naming the defect (the fault matrix), and the
SDK-shaped options of `/mcp` (list results, distance ranking, log notifications, server pings)
raise no false alarm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from workbook import Checks, probes
from workbook.sandbox import set_faults

MCP_CHECKS = [check_id for check_id in probes.CHECKS if check_id.startswith("mcp_")]
SMALL = {
    "ws_concurrency_levels": [1, 3],
    "ws_connect_samples": 1,
    "ws_calls_per_tool": 2,
    "ws_calls_per_connection": 2,
    "ws_max_duration_s": 60.0,
}
SDK_SHAPES = {"result_shape": "fastmcp", "ranking": "distance", "log_notifications": True, "server_pings": True}


@pytest.fixture
def admin(brain: dict[str, str]) -> str:
    """The stand-in's admin URL; the `brain` fixture resets switches and options around each test."""
    return brain["admin_url"]


DIALECTS = {"tool-json": "ws_url", "mcp-jsonrpc": "mcp_url"}


def run_mcp_checks(
    brain: dict[str, str], tmp_path: Path, dialect: str = "tool-json", **settings: Any
) -> dict[str, Any]:
    url = brain[DIALECTS[dialect]]
    values = {"ws_url": url, "brain_protocol": dialect, "brain_admin_url": brain["admin_url"], **SMALL, **settings}
    run = probes.PerfRun.open(probes.PerfSettings.of(**values), tmp_path)
    run.probe_mcp()
    checks = Checks("30_perf_probes", probes.CHECKS, results_dir=tmp_path)
    for check_id in MCP_CHECKS:
        with checks.run(check_id) as c:
            getattr(probes, f"check_{check_id}")(c, run)
    return {result.id: result for result in checks.results}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_all_switches_off_every_mcp_check_passes(
    brain: dict[str, str], admin: str, tmp_path: Path, dialect: str
) -> None:
    results = run_mcp_checks(brain, tmp_path, dialect)
    assert {k: r.status for k, r in results.items()} == dict.fromkeys(MCP_CHECKS, "pass"), {
        k: r.detail for k, r in results.items()
    }
    assert results["mcp_reconnect"].measured["drops"] > 0  # the check dropped connections itself
    assert httpx.get(admin + "/_sandbox/faults").json()["faults"] == {}  # and turned the switch off


NEGATIVE = "Failed to find similar characters: 1 validation error for CharacterSearchResult"
MATRIX = [
    ("tool-json", "hide_tool_argument", "mcp_tools_listed", "did not name required ['project_id']"),
    ("mcp-jsonrpc", "hide_tool_argument", "mcp_tools_listed", "'create_character' input schema lacks ['project_id']"),
    ("tool-json", "misrank_results", "mcp_tool_execution", "was not the most similar to its own personality"),
    ("mcp-jsonrpc", "misrank_results", "mcp_tool_execution", "was not the most similar to its own personality"),
    ("tool-json", "accept_invalid_tool_calls", "mcp_invalid_tool_calls", "unknown_tool: got result"),
    ("mcp-jsonrpc", "accept_invalid_tool_calls", "mcp_invalid_tool_calls", "unknown_tool: got result"),
    ("mcp-jsonrpc", "wrong_error_codes", "mcp_error_cases", "unknown_method: got error_reply -32603"),
    ("tool-json", "leak_projects", "mcp_project_isolation", "search returned"),
    ("mcp-jsonrpc", "leak_projects", "mcp_project_isolation", "search returned"),
    ("tool-json", "refuse_reconnects", "mcp_reconnect", "reconnect attempt(s) failed"),
    ("mcp-jsonrpc", "refuse_reconnects", "mcp_reconnect", "reconnect attempt(s) failed"),
    # The real brain's own failures: one negative weighted score fails the whole search ...
    ("tool-json", "reject_negative_scores", "mcp_tool_execution", NEGATIVE),
    (
        "mcp-jsonrpc",
        "reject_negative_scores",
        "mcp_tool_execution",
        "failed: 1 validation error for CharacterSearchResult",
    ),
    # ... and the graph store down fails every create with the driver's words.
    ("tool-json", "store_down", "mcp_tool_execution", "Failed to create character: Couldn't connect to localhost:7687"),
    ("mcp-jsonrpc", "store_down", "mcp_tool_execution", "create_character failed: Couldn't connect to localhost:7687"),
]


@pytest.mark.parametrize(("dialect", "switch", "check_id", "defect"), MATRIX)
def test_each_switch_fails_its_check_naming_the_defect(
    brain: dict[str, str], admin: str, tmp_path: Path, dialect: str, switch: str, check_id: str, defect: str
) -> None:
    set_faults(admin, {switch: True})
    result = run_mcp_checks(brain, tmp_path, dialect)[check_id]
    assert result.status == "fail" and defect in result.detail, result.detail


def test_sdk_shaped_answers_raise_no_false_alarm(brain: dict[str, str], admin: str, tmp_path: Path) -> None:
    # Issue 16: list-shaped results, distance ranking, log notifications before every reply and the
    # server's own pings before every tool call are all correct MCP; every check must still pass.
    assert httpx.put(admin + "/_sandbox/options", json=SDK_SHAPES, timeout=5).json() == SDK_SHAPES
    results = run_mcp_checks(brain, tmp_path, "mcp-jsonrpc")
    assert {k: r.status for k, r in results.items()} == dict.fromkeys(MCP_CHECKS, "pass"), {
        k: r.detail for k, r in results.items()
    }
    stats = httpx.get(admin + "/_sandbox/stats", timeout=5).json()
    assert stats["server_pings_answered"] > 0 and stats["server_pings_unanswered"] == 0
    cases = results["mcp_error_cases"].measured["cases"]
    assert "notifications/message[error]" in cases["unknown_method"]["server_messages"]


def test_a_wrong_ranking_parameter_is_rejected_and_a_stated_one_is_used(
    brain: dict[str, str], admin: str, tmp_path: Path
) -> None:
    with pytest.raises(probes.ProbeConfigError, match="'ws_ranking': value 'score'"):
        probes.PerfSettings.of(ws_url=brain["mcp_url"], ws_ranking="score")
    httpx.put(admin + "/_sandbox/options", json={"ranking": "distance"}, timeout=5).raise_for_status()
    # Told the wrong direction, the check fails on the order, not on the service's answers.
    settings = probes.PerfSettings.of(ws_url=brain["mcp_url"], brain_protocol="mcp-jsonrpc", ws_ranking="distance:desc")
    run = probes.PerfRun.open(settings, tmp_path)
    assert "not ranked by descending distance" in run.functional("tool_execution").detail
