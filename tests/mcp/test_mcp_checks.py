"""Notebook 30's MCP checks against the brain stand-in, without a kernel: the all-off run passes,
each fault switch fails its named check with a detail naming the defect (the fault matrix), and
the SDK-shaped options (list results, distance ranking, log notifications, server pings) raise no
false alarm."""

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


def run_mcp_checks(brain: dict[str, str], tmp_path: Path, **settings: Any) -> dict[str, Any]:
    values = {"ws_url": brain["ws_url"], "brain_admin_url": brain["admin_url"], **SMALL, **settings}
    run = probes.PerfRun.open(probes.PerfSettings.of(**values), tmp_path)
    run.probe_mcp()
    checks = Checks("30_perf_probes", probes.CHECKS, results_dir=tmp_path)
    for check_id in MCP_CHECKS:
        with checks.run(check_id) as c:
            getattr(probes, f"check_{check_id}")(c, run)
    return {result.id: result for result in checks.results}


def test_all_switches_off_every_mcp_check_passes(brain: dict[str, str], admin: str, tmp_path: Path) -> None:
    results = run_mcp_checks(brain, tmp_path)
    assert {k: r.status for k, r in results.items()} == dict.fromkeys(MCP_CHECKS, "pass"), {
        k: r.detail for k, r in results.items()
    }
    assert results["mcp_reconnect"].measured["drops"] > 0  # the check dropped connections itself
    assert httpx.get(admin + "/_sandbox/faults").json()["faults"] == {}  # and turned the switch off


@pytest.mark.parametrize(
    ("switch", "check_id", "defect"),
    [
        ("hide_tool_argument", "mcp_tools_listed", "'create_character' input schema lacks ['project_id']"),
        ("misrank_results", "mcp_tool_execution", "was not the most similar to its own description"),
        ("accept_invalid_tool_calls", "mcp_invalid_tool_calls", "unknown_tool: got result"),
        ("wrong_error_codes", "mcp_error_cases", "unknown_method: got error_reply -32603"),
        ("leak_projects", "mcp_project_isolation", "search returned"),
        ("refuse_reconnects", "mcp_reconnect", "reconnect attempt(s) failed"),
    ],
)
def test_each_switch_fails_its_check_naming_the_defect(
    brain: dict[str, str], admin: str, tmp_path: Path, switch: str, check_id: str, defect: str
) -> None:
    set_faults(admin, {switch: True})
    result = run_mcp_checks(brain, tmp_path)[check_id]
    assert result.status == "fail" and defect in result.detail, result.detail


def test_sdk_shaped_answers_raise_no_false_alarm(brain: dict[str, str], admin: str, tmp_path: Path) -> None:
    # Issue 16: list-shaped results, distance ranking, log notifications before every reply and the
    # server's own pings before every tool call are all correct MCP; every check must still pass.
    assert httpx.put(admin + "/_sandbox/options", json=SDK_SHAPES, timeout=5).json() == SDK_SHAPES
    results = run_mcp_checks(brain, tmp_path)
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
        probes.PerfSettings.of(ws_url=brain["ws_url"], ws_ranking="score")
    httpx.put(admin + "/_sandbox/options", json={"ranking": "distance"}, timeout=5).raise_for_status()
    # Told the wrong direction, the check fails on the order, not on the service's answers.
    run = probes.PerfRun.open(probes.PerfSettings.of(ws_url=brain["ws_url"], ws_ranking="distance:desc"), tmp_path)
    assert "not ranked by descending distance" in run.functional("tool_execution").detail
