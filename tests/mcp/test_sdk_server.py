"""Against a server we did not write (issue 16): an MCP Python SDK 1.30 FastMCP server over the
SDK's WebSocket transport (`sdk_server.py`), with list-shaped results, distance ranking, log
notifications, server pings and no reply to malformed JSON. The client reads it right, and
notebooks 00 and 30 pass against it with no false alarm (the isolation check runs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wb_testing import run_notebook, script_server
from workbook import mcp

SERVER = Path(__file__).with_name("sdk_server.py")


@pytest.fixture(scope="module")
def sdk_server() -> Iterator[str]:
    """The SDK server's base address `127.0.0.1:<port>` (ws://…/mcp, http://…/health)."""
    with script_server(SERVER) as words:
        yield f"127.0.0.1:{int(words[1])}"


def test_the_client_reads_an_sdk_server_right(sdk_server: str) -> None:
    ws_url = f"ws://{sdk_server}/mcp"
    results = {r.check: r for r in mcp.run_functional_checks(ws_url)}
    assert all(r.passed for r in results.values()), {k: r.detail for k, r in results.items()}
    # The list shape was read (not "no results list"), ranked by ascending distance.
    assert "distance" in results["tool_execution"].data["results"]["Mara Vell"][0]
    cases = {case.case: case for case in mcp.probe_error_cases(ws_url, no_reply_timeout_s=1.0)}
    assert all(case.accepted for case in cases.values()), {k: (c.outcome, c.code) for k, c in cases.items()}
    # The SDK's answer to malformed JSON is a log line, which must not be taken as the reply.
    assert cases["malformed_json"].outcome == "no_reply"
    assert "notifications/message[error]" in cases["malformed_json"].server_messages
    assert cases["unknown_tool"].outcome == "tool_error"


@pytest.mark.notebook
def test_notebooks_00_and_30_pass_with_no_false_alarm(sdk_server: str, tmp_path: Path) -> None:
    ws_url, health_url = f"ws://{sdk_server}/mcp", f"http://{sdk_server}/health"
    services = {"brain": {"ws_url": ws_url, "health": [health_url]}}
    health = run_notebook("00_service_health", {"services": services}, tmp_path / "00")
    assert {k: c["status"] for k, c in health.items()} == {"http-brain-0": "pass", "ws-brain": "pass"}, health
    assert "WARNING" not in health["ws-brain"]["detail"] and health["ws-brain"]["measured"]["subprotocol"] == "mcp"
    perf = run_notebook(
        "30_perf_probes",
        {
            "http_targets": [{"name": "sdk-health", "url": health_url}],
            "ws_url": ws_url,
            "arrival_rate_rps": 50.0,
            "latency_duration_s": 0.5,
            "latency_max_requests": 25,
            "concurrency_levels": [5],
            "throughput_duration_s": 0.3,
            "throughput_max_requests": 200,
            "warmup_s": 0.0,
            "ws_concurrency_levels": [1, 5, 10, 20],
            "ws_connect_samples": 3,
            "ws_calls_per_tool": 3,
            "ws_calls_per_connection": 2,
            "ws_max_duration_s": 60.0,
        },
        tmp_path / "30",
    )
    statuses = {k: c["status"] for k, c in perf.items()}
    # Live-style run without a fault switch: the reconnect check says it was not asked, all else passes.
    assert statuses == {**dict.fromkeys(statuses, "pass"), "mcp_reconnect": "skip"}, {
        k: c["detail"] for k, c in perf.items() if c["status"] != "pass"
    }
    assert "found" not in perf["mcp_project_isolation"]["detail"]
