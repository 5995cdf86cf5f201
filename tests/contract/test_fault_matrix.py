"""Every check passes on a correct ORFEAS replica, each real defect switch is caught by its named
check with a detail naming the defect, and ORFEAS's by-design behaviours raise no false alarm
(one studio process; switches and options flipped through its admin endpoint)."""

from __future__ import annotations

import httpx
import pytest

from workbook.checks import CheckStatus
from workbook.contract import CHECKS
from workbook.sandbox import Sandbox, fault_switch_names

from .conftest import RunChecks

# switch -> (the check that must catch it, a phrase its detail must contain, switch value)
MATRIX: dict[str, tuple[str, str, object]] = {
    "hang_after": ("soak", "server did not answer request 1", 2),
    "accept_fake_image": ("upload_cases", "upload row 'fake image': expected 400 or 415", True),
    "accept_empty_prompt": ("text_cases", "text_to_image row 'empty prompt': expected 400", True),
    "health_before_routes": ("readiness", "readiness is reported before the routes work", True),
    "missing_file_500": ("upload_cases", "upload row 'no file field': expected 400", True),
    "malformed_id_500": ("generate_cases", "generate_3d row 'malformed job id': expected 400", True),
    "no_json_500": ("text_cases", "text_to_image row 'no JSON body': expected 400", True),
    "always_obj": ("outputs", "asked for glb but the platform wrote model_", True),
    "download_traversal": ("download_safety", "content from outside the output folder; identical to", True),
    "cors_any_origin": ("upload_security", "CORS allows the foreign origin https://evil.example", True),
}
# Checks that need another check's results first (the outputs check downloads what generate made).
BEFORE = {"outputs": ["generate_cases"]}
# Checks no switch targets, and why (each is shown failing on a wrong answer in test_logic.py).
NO_SWITCH = {
    "health": "ORFEAS's health bodies never lie; unhealthy words are handed over in test_logic",
    "routes": "a prefix mistake is the seed's test bug, not the server's",
    "schemathesis": "finds the server errors of malformed_id_500 / no_json_500 too (test_schemathesis)",
}


def test_every_switch_has_a_row_and_every_check_a_switch_or_a_reason() -> None:
    assert set(MATRIX) == fault_switch_names("studio")
    assert {check for check, _, _ in MATRIX.values()} | set(NO_SWITCH) == set(CHECKS)


def test_all_switches_off_every_check_passes(run_checks: RunChecks) -> None:
    results = run_checks(list(CHECKS))
    failed = {check: detail for check, (status, detail) in results.items() if status is not CheckStatus.PASS}
    assert not failed
    assert set(results) == set(CHECKS)
    # ORFEAS's by-design behaviours are passes: 400 for a bad image (contract: 400 or 415), 32 px
    # minimum (readiness uploads a 64 px image), Connection: close (soak says so, runs no keep-alive series).
    assert "keep-alive series not run" in results["soak"][1]


@pytest.mark.parametrize("switch", sorted(MATRIX))
def test_switch_is_caught_by_its_check(run_checks: RunChecks, switch: str) -> None:
    check_id, phrase, value = MATRIX[switch]
    results = run_checks([*BEFORE.get(check_id, []), check_id], faults={switch: value})
    status, detail = results[check_id]
    assert status is CheckStatus.FAIL, f"{switch}: {check_id} was {status.value}: {detail}"
    assert phrase in detail, detail


def test_a_refused_readiness_probe_is_an_error_not_a_lying_ready(run_checks: RunChecks) -> None:
    """The issue's false alarm: a 16x16 probe image, which ORFEAS refuses by design."""
    status, detail = run_checks(["readiness"], readiness_image_px=16)["readiness"]
    assert status is CheckStatus.ERROR, detail
    assert "Image too small: 16x16 (min 32x32)" in detail


def test_keep_alive_option_runs_both_series_and_passes(run_checks: RunChecks, studio: Sandbox) -> None:
    admin = studio.outputs["studio"]["admin_url"]
    httpx.put(admin + "/_sandbox/options", json={"keep_alive": True}, timeout=5).raise_for_status()
    try:
        status, detail = run_checks(["soak"])["soak"]
    finally:
        httpx.delete(admin + "/_sandbox/options", timeout=5).raise_for_status()
    assert status is CheckStatus.PASS, detail
    assert "connections are reused" in detail


def test_hung_requests_are_released_when_the_switch_goes_off(run_checks: RunChecks, studio: Sandbox) -> None:
    url = studio.outputs["studio"]["url"] + "/api/text-to-image"
    run_checks([], faults={"hang_after": 0})
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(url, json={"prompt": "held"}, timeout=0.5)
    assert httpx.get(studio.outputs["studio"]["url"] + "/health", timeout=5).status_code == 200  # probes stay up
    run_checks([])  # clears the switches
    assert httpx.post(url, json={"prompt": "released"}, timeout=5).status_code == 200
