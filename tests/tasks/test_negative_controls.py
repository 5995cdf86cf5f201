"""Measured checks score badly when what they measure is absent: one worker in both rounds of the
scaling check, latency injected on a proxy the traffic does not cross."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from workbook.checks import CheckStatus
from workbook.sandbox import Sandbox
from workbook.tasks import WorkerControl

from .conftest import RunChecks, injected_anywhere


def test_scaling_fails_when_the_second_worker_never_comes_back(
    run_checks: RunChecks, pipeline: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_add = WorkerControl.add_consumer
    monkeypatch.setattr(WorkerControl, "add_consumer", lambda self, queue, names: [])
    monkeypatch.setattr("workbook.tasks._checks_basic._wait_consumers", lambda run, count, timeout_s=10.0: None)
    try:
        status, detail = run_checks(["scaling"])["scaling"]
    finally:
        control = WorkerControl(
            pipeline.outputs["redis"]["url"], pipeline.secrets["SANDBOX_REDIS_PASSWORD"], ["w1@sandbox", "w2@sandbox"]
        )
        real_add(control, "pipeline", ["w1@sandbox", "w2@sandbox"])
        control.close()
    assert status is CheckStatus.FAIL and "the second worker does not share the load" in detail
    assert injected_anywhere(pipeline) == []


def test_latency_on_a_link_nobody_uses_is_not_visible(run_checks: RunChecks, pipeline: Sandbox) -> None:
    api = pipeline.outputs["faultproxy"]["url"]
    created = httpx.post(
        api + "/proxies", json={"name": "decoy", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}, timeout=10
    )
    assert created.status_code == 201
    try:
        overrides: dict[str, Any] = {"fault_proxy_redis": "decoy", "chaos_latency_ms": 60}
        status, detail = run_checks(["chaos_redis_latency"], **overrides)["chaos_redis_latency"]
    finally:
        httpx.delete(api + "/proxies/decoy", timeout=10)
    assert status is CheckStatus.FAIL and "the traffic does not cross the proxy" in detail
    assert injected_anywhere(pipeline) == []
