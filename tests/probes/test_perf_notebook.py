"""Notebook 30 end to end through papermill against the brain stand-in: every budget passes when
the service is healthy, and the right budgets fail (without the notebook crashing) when it is
slow or when an HTTP target is down."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from wb_testing import run_notebook
from workbook import probes
from workbook.sandbox import Sandbox, clear_faults, set_faults

pytestmark = pytest.mark.notebook


def execute(tmp_path: Path, name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return run_notebook("30_perf_probes", parameters, tmp_path / name)


def test_budgets_pass_when_healthy_and_fail_when_slow_or_down(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with Sandbox(["brain"]) as sandbox:
        brain = sandbox.outputs["brain"]
        base = {
            "interactive": False,
            "services": {"brain": {"url": brain["url"], "ws_url": brain["ws_url"], "health": ["/health"]}},
            "http_services": ["brain"],
            "brain_service": "brain",
            "brain_admin_url": brain["admin_url"],
            "arrival_rate_rps": 50.0,
            "latency_duration_s": 0.5,
            "latency_max_requests": 25,
            "concurrency_levels": [5],
            "throughput_duration_s": 0.3,
            "throughput_max_requests": 200,
            "warmup_s": 0.0,
            "ws_concurrency_levels": [1, 5],
            "ws_connect_samples": 2,
            "ws_calls_per_tool": 2,
            "ws_calls_per_connection": 2,
            "ws_max_duration_s": 60.0,
        }
        good = execute(tmp_path, "good", base)
        set_faults(brain["admin_url"], {"added_latency_ms": 300})
        try:
            bad = execute(
                tmp_path,
                "bad",
                {
                    **base,
                    "http_services": [],
                    "http_targets": [{"name": "down", "url": f"http://127.0.0.1:{closed_port}/health"}],
                    "budgets": {"ws_round_trip_s": 0.25},
                },
            )
        finally:
            clear_faults(brain["admin_url"])
    assert {check["status"] for check in good.values()} == {"pass"}, {k: c["detail"] for k, c in good.items()}
    assert set(good) == set(probes.CHECKS)
    assert good["budget_health_response"]["measured"]["measured"] > 0
    assert bad["budget_ws_round_trip"]["status"] == "fail"
    assert bad["budget_ws_round_trip"]["measured"]["measured"] >= 0.3
    assert bad["budget_health_response"]["status"] == "fail"
    assert bad["budget_http_success"]["status"] == "fail"
    assert bad["budget_http_success"]["measured"]["measured"] == 0.0
    # Budgets the faults do not touch still pass: failures point at the defect, not everywhere.
    assert bad["budget_ws_success"]["status"] == "pass"


def test_the_notebook_shards_its_http_probes_over_dask_workers(tmp_path: Path) -> None:
    import json

    with Sandbox(["brain"]) as sandbox:
        brain = sandbox.outputs["brain"]
        checks = execute(
            tmp_path,
            "sharded",
            {
                "interactive": False,
                "http_targets": [{"name": "brain-health", "method": "GET", "url": brain["health_url"]}],
                "brain_service": "",
                "arrival_rate_rps": 40.0,
                "latency_duration_s": 0.5,
                "latency_max_requests": 20,
                "concurrency_levels": [4],
                "throughput_duration_s": 0.3,
                "throughput_max_requests": 100,
                "warmup_s": 0.0,
                "shards": 2,
            },
        )
    assert checks["budget_health_response"]["status"] == "pass", checks["budget_health_response"]["detail"]
    evidence = json.loads((tmp_path / "sharded" / "evidence" / "probes.json").read_text())
    latency = evidence["latency"][0]
    assert len(latency["shards"]) == 2 and latency["sent"] == sum(shard["sent"] for shard in latency["shards"])
    assert len(evidence["throughput"][0]["shards"]) == 2
