"""Every check passes on a correct platform (all switches off), and each defect switch (a real
failure of the repackaging platform) is caught by its named check with a detail naming the defect.
Nothing injected is left after any of it."""

from __future__ import annotations

import time

import pytest

from workbook.checks import CheckStatus
from workbook.sandbox import Sandbox
from workbook.sandbox.repackager import faults
from workbook.tasks import CHECKS

from .conftest import RunChecks, injected_anywhere

SWITCHES = sorted(faults({}).known)

# switch -> (checks to run, the one that must fail, a phrase its detail must contain)
DEFECT: dict[str, tuple[list[str], str, str]] = {
    "shared_work_folder": (["isolation"], "isolation", "at once"),
    "leave_work_folder": (["lifecycle", "retention"], "retention", "left behind by finished tasks"),
    "ack_early": (["chaos_worker_kill"], "chaos_worker_kill", "is lost after a worker SIGKILL"),
    "no_redis_retry": (["chaos_link_outage"], "chaos_link_outage", "is lost after a Redis link outage"),
    "stop_consuming_after_outage": (["chaos_redis_restart"], "chaos_redis_restart", "no worker took a new task"),
    "no_retry_on_429": (["upstream_retry"], "upstream_retry", "an upstream 429 was never retried"),
    "no_retry_on_5xx": (["upstream_retry"], "upstream_retry", "an upstream 5xx was not retried"),
    "blocking_redis": (["liveness"], "liveness", "a stalled Redis link froze GET /"),
    "ws_500_when_redis_down": (["ws_redis_down"], "ws_redis_down", "handshake answered HTTP 500"),
    "snapshot_race": (["lifecycle"], "lifecycle", "the WebSocket never delivered that record"),
}


def test_every_switch_has_a_named_check() -> None:
    assert set(DEFECT) == set(SWITCHES)
    assert {check for _, check, _ in DEFECT.values()} <= set(CHECKS)


def test_all_switches_off_every_check_passes(run_checks: RunChecks, pipeline: Sandbox) -> None:
    started = time.monotonic()
    results = run_checks(list(CHECKS))
    failed = {check: detail for check, (status, detail) in results.items() if status is not CheckStatus.PASS}
    assert not failed
    assert set(results) == set(CHECKS)
    assert injected_anywhere(pipeline) == []
    print(f"all {len(CHECKS)} checks against the sandbox: {time.monotonic() - started:.1f} s")


@pytest.mark.parametrize("switch", SWITCHES)
def test_switch_is_caught_by_its_check(run_checks: RunChecks, pipeline: Sandbox, switch: str) -> None:
    run, check_id, phrase = DEFECT[switch]
    results = run_checks(run, faults={switch: True})
    status, detail = results[check_id]
    assert status is CheckStatus.FAIL, f"{switch}: {check_id} was {status.value}: {detail}"
    assert phrase in detail, detail
    assert injected_anywhere(pipeline) == []
