"""Fault-injecting steps lift what they injected even when they blow up mid-injection."""

from __future__ import annotations

from typing import Any

import pytest

from workbook.checks import CheckStatus
from workbook.sandbox import Sandbox

from .conftest import RunChecks, injected_anywhere


class _Crash(RuntimeError):
    pass


def test_liveness_removes_its_stall_when_it_crashes_with_the_link_stalled(
    run_checks: RunChecks, pipeline: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbook.tasks import _checks_outage

    def crash(run: Any, path: str, timeout_s: float) -> Any:
        assert run.proxy.toxics(run.settings.fault_proxy_redis), "the stall should be in place"
        raise _Crash("prober crashed with the link stalled")

    monkeypatch.setattr(_checks_outage, "_get", crash)
    status, detail = run_checks(["liveness"])["liveness"]
    assert status is CheckStatus.ERROR and "_Crash" in detail
    assert injected_anywhere(pipeline) == []


def test_link_outage_experiment_brings_the_link_back_when_it_crashes(
    run_checks: RunChecks, pipeline: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as time_module

    from workbook.tasks import _checks_chaos

    real_sleep = time_module.sleep

    class Clock:
        @staticmethod
        def sleep(seconds: float) -> None:
            if seconds == 1.0:  # redis_down_s: the link is down right now
                raise _Crash("injector crashed with the link down")
            real_sleep(seconds)

        time = staticmethod(time_module.time)
        monotonic = staticmethod(time_module.monotonic)

    monkeypatch.setattr(_checks_chaos, "time", Clock)
    status, detail = run_checks(["chaos_link_outage"])["chaos_link_outage"]
    # Our injector broke: the experiment says so and blames nothing on the platform.
    assert status is CheckStatus.ERROR and "the injection itself failed: _Crash" in detail, detail
    assert "is lost" not in detail
    assert injected_anywhere(pipeline) == []
