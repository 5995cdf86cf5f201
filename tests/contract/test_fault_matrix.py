"""Every check passes on a healthy studio, and each defect switch is caught by its named check
with a detail naming the defect (one studio process; switches flipped through its admin endpoint)."""

from __future__ import annotations

import httpx
import pytest

from workbook.checks import CheckStatus
from workbook.contract import CHECKS
from workbook.sandbox import Sandbox, fault_switch_names

from .conftest import RunChecks

# switch -> (the check that must catch it, a phrase its detail must contain, switch value)
MATRIX: dict[str, tuple[str, str, object]] = {
    "health_not_json": ("health", "body is not JSON", True),
    "missing_job_id_500": ("generate_cases", "generate_3d row 'without job id': expected 400, got 500", True),
    "hang_after": ("soak", "server stopped responding after request 2", 2),
    "accept_fake_image": ("upload_cases", "upload row 'fake image': expected 415, got 200", True),
    "missing_file_500": ("upload_cases", "upload row 'no file field': expected 400, got 500", True),
    "repeated_job_ids": ("upload_cases", "both uploads got job id", True),
    "accept_empty_prompt": ("text_cases", "text_to_image row 'empty prompt': expected 400, got 200", True),
    "no_api_prefix": ("routes", "the routes are served without the /api prefix", True),
    "health_before_routes": ("readiness", "readiness is reported before the routes work", True),
    "slow_first_request": ("readiness", "a slow first request", 5000),
    "corrupt_mesh": ("outputs", "corrupt or truncated", True),
    "wrong_mesh_format": ("outputs", "asked for glb but the content is stl", True),
    "stack_trace_errors": ("upload_security", "carries a stack trace or file path", True),
    "path_traversal": ("upload_security", "written outside the upload folder", True),
    "no_size_limit": ("upload_security", "the size limit is not enforced", True),
    "cors_wildcard": ("upload_security", "CORS allows the foreign origin https://evil.example", True),
    "schema_violation": ("schemathesis", "response_schema_conformance", True),
}
# Checks that need another check's results first (the outputs check downloads what generate made).
BEFORE = {"outputs": ["generate_cases"]}


def test_every_switch_has_a_row_and_every_check_a_switch() -> None:
    assert set(MATRIX) == fault_switch_names("studio")
    assert {check for check, _, _ in MATRIX.values()} == set(CHECKS)


def test_all_switches_off_every_check_passes(run_checks: RunChecks) -> None:
    results = run_checks(list(CHECKS))
    failed = {check: detail for check, (status, detail) in results.items() if status is not CheckStatus.PASS}
    assert not failed
    assert set(results) == set(CHECKS)


@pytest.mark.parametrize("switch", sorted(MATRIX))
def test_switch_is_caught_by_its_check(run_checks: RunChecks, switch: str) -> None:
    check_id, phrase, value = MATRIX[switch]
    results = run_checks([*BEFORE.get(check_id, []), check_id], faults={switch: value})
    status, detail = results[check_id]
    assert status is CheckStatus.FAIL, f"{switch}: {check_id} was {status.value}: {detail}"
    assert phrase in detail, detail


def test_hung_requests_are_released_when_the_switch_goes_off(run_checks: RunChecks, studio: Sandbox) -> None:
    url = studio.outputs["studio"]["url"] + "/api/text-to-image"
    run_checks([], faults={"hang_after": 0})
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(url, json={"prompt": "held"}, timeout=0.5)
    assert httpx.get(studio.outputs["studio"]["url"] + "/health", timeout=5).status_code == 200  # probes stay up
    run_checks([])  # clears the switches
    assert httpx.post(url, json={"prompt": "released"}, timeout=5).status_code == 200
