"""One real repackaging-platform sandbox (Redis, fault proxy, upstream package server + index, the
platform's API + 2 Celery workers) shared by every test in this folder, and a helper to run
notebook 50's checks against it."""

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

SERVICES = ["redis", "faultproxy", "upstream", "repackager"]
TIME_SCALE = 10.0


@pytest.fixture(scope="session")
def pipeline() -> Iterator[Sandbox]:
    sandbox = Sandbox(SERVICES, time_scale=TIME_SCALE)
    with sandbox:
        yield sandbox
    sandbox.cleanup()


def sandbox_values(sandbox: Sandbox) -> dict[str, Any]:
    """Notebook 50's parameters for this sandbox, small enough for the test budget."""
    redis, proxy, platform = sandbox.outputs["redis"], sandbox.outputs["faultproxy"], sandbox.outputs["repackager"]
    upstream = sandbox.outputs["upstream"]
    return {
        "services": services(sandbox),
        "worker_names": platform["workers"].split(","),
        "fault_proxy_url": proxy["url"],
        "fault_proxy_redis": proxy["redis_proxy"],
        "chaos_enabled": True,
        "redis_admin_url": redis["admin_url"],
        "upstream_admin_url": upstream["admin_url"],
        "temp_dir": platform["temp_dir"],
        "scripts_dir": platform["scripts_dir"],
        "concurrent_tasks": 3,
        "create_window_s": 60.0 / TIME_SCALE,
        "retry_backoff_s": [1.0 / TIME_SCALE, 2.0 / TIME_SCALE],
        "upstream_hang_s": 60.0 / TIME_SCALE + 2.0,
        "pubsub_messages": 50,
        "counter_increments": 100,
        "task_timeout_s": 20.0,
        "ws_grace_s": 2.0,
        "redis_down_s": 1.0,
    }


def services(sandbox: Sandbox) -> dict[str, Any]:
    """The connection profiles of params/sandbox.yaml for this sandbox."""
    redis, platform = sandbox.outputs["redis"], sandbox.outputs["repackager"]
    redis_profile: dict[str, Any] = {"url": redis["url"]}
    if "password_env" in redis:
        redis_profile["auth"] = {"kind": "password", "secret_env": redis["password_env"]}
    return {
        "repackager": {"url": platform["url"], "health": ["/health"]},
        "redis": redis_profile,
        "upstream": {"url": sandbox.outputs["upstream"]["url"], "health": ["/health"]},
    }


RunChecks = Callable[..., dict[str, tuple[CheckStatus, str]]]


@pytest.fixture
def run_checks(pipeline: Sandbox, tmp_path: Path) -> Iterator[RunChecks]:
    """Run named checks with the platform's defect switches set; switches always cleared."""
    admin = pipeline.outputs["repackager"]["admin_url"]
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
    from workbook.tasks import WorkerControl

    outputs = sandbox.outputs
    client = ToxiproxyClient(outputs["faultproxy"]["url"])
    try:
        left = residue(client)
    finally:
        client.close()
    if not httpx.get(outputs["redis"]["admin_url"] + "/_sandbox/redis", timeout=10).json()["running"]:
        left.append("redis-server is stopped")
    for service in ("repackager", "upstream"):
        switches = httpx.get(outputs[service]["admin_url"] + "/_sandbox/faults", timeout=10).json()["faults"]
        if switches:
            left.append(f"{service} switches still on: {switches}")
    workers = outputs["repackager"]["workers"].split(",")
    control = WorkerControl(outputs["redis"]["url"], "", workers)
    try:
        deadline = time.monotonic() + 20.0  # workers reconnect on their own after an outage
        while True:
            consuming = control.consuming("celery")
            if len(consuming) == len(workers) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        control.close()
    if len(consuming) != len(workers):
        left.append(f"only {consuming} of {workers} consume the queue")
    return left
