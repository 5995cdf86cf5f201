"""Chaos and readiness steps lift what they injected even when they blow up mid-injection."""

from __future__ import annotations

from typing import Any

import pytest

from workbook.checks import CheckStatus
from workbook.sandbox import Sandbox
from workbook.tasks import TaskPipelineRun

from .conftest import RunChecks, injected_anywhere


class _Crash(RuntimeError):
    pass


def test_latency_experiment_removes_its_toxic_when_the_method_crashes(
    run_checks: RunChecks, pipeline: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = TaskPipelineRun.run_tasks
    calls: list[str] = []

    def crash_under_latency(self: TaskPipelineRun, label: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(label)
        if label == "chaos: latency":  # the toxic is on the Redis link right now
            assert self.proxy is not None and self.proxy.toxics(self.settings.fault_proxy_redis)
            raise _Crash("observer crashed with the toxic in place")
        return original(self, label, *args, **kwargs)

    monkeypatch.setattr(TaskPipelineRun, "run_tasks", crash_under_latency)
    status, detail = run_checks(["chaos_redis_latency"])["chaos_redis_latency"]
    assert "chaos: latency" in calls
    assert status is CheckStatus.FAIL and "experiment raised _Crash" in detail
    assert injected_anywhere(pipeline) == []


def test_readiness_brings_the_redis_link_back_when_it_crashes_during_the_outage(
    run_checks: RunChecks, pipeline: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbook.tasks import _checks_failures

    original = _checks_failures.wait_ready

    def crash_when_waiting_for_fail(run: TaskPipelineRun, want: str, timeout_s: float) -> Any:
        if want == "fail":
            raise _Crash("poller crashed with the link down")
        return original(run, want, timeout_s)

    monkeypatch.setattr(_checks_failures, "wait_ready", crash_when_waiting_for_fail)
    status, detail = run_checks(["readiness"])["readiness"]
    assert status is CheckStatus.ERROR and "_Crash" in detail
    monkeypatch.undo()
    took, _ = original_wait(pipeline)
    assert took is not None, "readiness did not recover: the link was left down"
    assert injected_anywhere(pipeline) == []


def original_wait(pipeline: Sandbox) -> tuple[float | None, list[str]]:
    from workbook.tasks import TaskPipelineSettings, _checks_failures

    from .conftest import sandbox_values

    run = TaskPipelineRun.open(TaskPipelineSettings.of(**sandbox_values(pipeline)))
    try:
        return _checks_failures.wait_ready(run, "pass", 30.0)
    finally:
        run.close()
