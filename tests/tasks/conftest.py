"""One real task-pipeline sandbox (Redis, fault proxy, upstream, task API + 2 Celery workers)
shared by every test in this folder, and a helper to run notebook 50's checks against it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from workbook.checks import Checks, CheckStatus
from workbook.sandbox import Sandbox, clear_faults, set_faults
from workbook.tasks import CHECK_FUNCTIONS, CHECKS, TaskPipelineRun, TaskPipelineSettings

SERVICES = ["redis", "faultproxy", "upstream", "tasks"]


@pytest.fixture(scope="session")
def pipeline() -> Iterator[Sandbox]:
    sandbox = Sandbox(SERVICES)
    with sandbox:
        yield sandbox
    sandbox.cleanup()


def sandbox_values(sandbox: Sandbox) -> dict[str, Any]:
    """Notebook 50's parameters for this sandbox, small enough for the test budget."""
    redis, proxy, tasks = sandbox.outputs["redis"], sandbox.outputs["faultproxy"], sandbox.outputs["tasks"]
    return {
        "redis_url": redis["url"],
        "redis_password_env": redis["password_env"],
        "api_base_url": tasks["url"],
        "ws_base_url": tasks["ws_url"],
        "worker_names": tasks["workers"].split(","),
        "queue": tasks["queue"],
        "fault_proxy_url": proxy["url"],
        "fault_proxy_redis": proxy["redis_proxy"],
        "chaos_enabled": True,
        "redis_admin_url": redis["admin_url"],
        "upstream_admin_url": sandbox.outputs["upstream"]["admin_url"],
        "temp_dir": tasks["temp_dir"],
        "frames": 5,
        "step_s": 0.04,
        "concurrent_tasks": 3,
        "scaling_tasks": 4,
        "scaling_min_ratio": 1.2,
        "large_result_bytes": 2 * 1024 * 1024,
        "pubsub_messages": 50,
        "counter_increments": 100,
        "task_timeout_s": 40.0,
        "ready_timeout_s": 5.0,
    }


RunChecks = Callable[..., dict[str, tuple[CheckStatus, str]]]


@pytest.fixture
def run_checks(pipeline: Sandbox, tmp_path: Path) -> Iterator[RunChecks]:
    """Run named checks with the task service's defect switches set; switches always cleared."""
    admin = pipeline.outputs["tasks"]["admin_url"]
    opened: list[TaskPipelineRun] = []

    def run(check_ids: list[str], faults: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        clear_faults(admin)
        if faults:
            set_faults(admin, faults)
        session = TaskPipelineRun.open(TaskPipelineSettings.of(**{**sandbox_values(pipeline), **overrides}))
        opened.append(session)
        checks = Checks("50_task_pipeline", CHECKS, results_dir=tmp_path)
        try:
            for check_id in check_ids:
                with checks.run(check_id) as context:
                    CHECK_FUNCTIONS[check_id](context, session)
        finally:
            clear_faults(admin)  # the defect under test; anything a check injected is its own to lift
        return {result.id: (result.status, result.detail) for result in checks.results}

    yield run
    clear_faults(admin)
    for session in opened:
        session.close()


def injected_anywhere(sandbox: Sandbox) -> list[str]:
    """Everything a check could have left injected: toxics, a disabled proxy, a stopped Redis,
    switches still on, a worker not consuming."""
    from workbook.chaos import ToxiproxyClient, residue

    outputs = sandbox.outputs
    client = ToxiproxyClient(outputs["faultproxy"]["url"])
    try:
        left = residue(client)
    finally:
        client.close()
    if not httpx.get(outputs["redis"]["admin_url"] + "/_sandbox/redis", timeout=10).json()["running"]:
        left.append("redis-server is stopped")
    for service in ("tasks", "upstream"):
        switches = httpx.get(outputs[service]["admin_url"] + "/_sandbox/faults", timeout=10).json()["faults"]
        if switches:
            left.append(f"{service} switches still on: {switches}")
    # Workers reconnect on their own after an outage: give them the time a rollback may take.
    deadline = time.monotonic() + 20.0
    while True:
        ready = httpx.get(outputs["tasks"]["url"] + "/health/ready", timeout=10).json()
        consuming = ready["checks"]["workers:consuming"][0]["observedValue"]
        if consuming == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if consuming != 2:
        left.append(f"{consuming} of 2 workers consume the queue")
    return left
