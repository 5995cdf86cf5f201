"""Every check passes on a healthy pipeline, and each defect switch is caught by its named check
with a detail naming the defect. Nothing injected is left after any of it."""

from __future__ import annotations

import time

import pytest

from workbook.checks import CheckStatus
from workbook.sandbox import Sandbox
from workbook.sandbox.tasks._switches import FAULTS
from workbook.tasks import CHECKS

from .conftest import RunChecks, injected_anywhere

# switch -> a phrase the failing check's detail must contain (it names the defect).
DEFECT_DETAIL = {
    "ack_early": "was lost after its worker process was SIGKILLed",
    "drop_progress": "sequence gap",
    "reorder_progress": "events out of order",
    "no_terminal_event": "no terminal event",
    "ready_always_pass": "/health/ready still said pass",
    "no_retry_on_503": "upstream 503 was not retried",
    "ignore_retry_after": "Retry-After was ignored",
    "leave_temp_files": "temp folder(s) left behind",
    "corrupt_result": "the result file is corrupt",
    "no_resubscribe": "the WebSocket relay went silent after Redis came back",
}


def test_every_switch_has_a_named_check_and_expected_detail() -> None:
    assert set(DEFECT_DETAIL) == set(FAULTS)
    assert {check for check, _ in FAULTS.values()} <= set(CHECKS)


def test_all_switches_off_every_check_passes(run_checks: RunChecks, pipeline: Sandbox) -> None:
    started = time.monotonic()
    results = run_checks(list(CHECKS))
    failed = {check: detail for check, (status, detail) in results.items() if status is not CheckStatus.PASS}
    assert not failed
    assert set(results) == set(CHECKS)
    assert injected_anywhere(pipeline) == []
    print(f"all 18 checks against the sandbox: {time.monotonic() - started:.1f} s")


@pytest.mark.parametrize("switch", sorted(DEFECT_DETAIL))
def test_switch_is_caught_by_its_check(run_checks: RunChecks, pipeline: Sandbox, switch: str) -> None:
    check_id = FAULTS[switch][0]
    results = run_checks([check_id], faults={switch: True})
    status, detail = results[check_id]
    assert status is CheckStatus.FAIL, f"{switch}: {check_id} was {status.value}: {detail}"
    assert DEFECT_DETAIL[switch] in detail, detail
    assert injected_anywhere(pipeline) == []
