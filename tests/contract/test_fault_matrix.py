"""Every check passes on a correct ORFEAS replica, each real defect switch is caught by its named
check with a detail naming the defect (and the fix for that defect only), and ORFEAS's by-design
behaviours raise no false alarm (one studio process; switches and options flipped through its
admin endpoint)."""

from __future__ import annotations

import httpx
import pytest

from workbook.checks import CheckStatus, Severity
from workbook.contract import CHECKS
from workbook.sandbox import Sandbox, fault_switch_names

from .conftest import RunChecks

# switch -> (the check that must catch it, a phrase its detail must contain, switch value,
#            a phrase of the remedy it must show, "" when it must show none)
MATRIX: dict[str, tuple[str, str, object, str]] = {
    "hang_after": ("soak", "server did not answer request 1", 2, "Find what blocks after N requests"),
    "accept_fake_image": (
        "upload_cases",
        "upload row 'fake image': expected 400 or 415",
        True,
        "Decode and verify the image",
    ),
    "accept_empty_prompt": (
        "text_cases",
        "text_to_image row 'empty prompt': expected 400",
        True,
        "Validate the prompt",
    ),
    "health_before_routes": (
        "readiness",
        "readiness is reported before the routes work",
        True,
        "Report ready only after models and routes are loaded.",
    ),
    "missing_file_500": ("upload_cases", "upload row 'no file field': expected 400", True, "never 500"),
    "malformed_id_500": (
        "generate_cases",
        "generate_3d row 'malformed job id': expected 400",
        True,
        "Validate job_id before use",
    ),
    "no_json_500": ("text_cases", "text_to_image row 'no JSON body': expected 400", True, "never 500"),
    "always_obj": ("outputs", "asked for glb but the platform wrote model_", True, "Export the mesh in the requested"),
    "download_traversal": (
        "download_safety",
        "content from outside the output folder; identical to",
        True,
        "check containment against the output folder",
    ),
    "cors_any_origin": (
        "upload_security",
        "CORS allows the foreign origin https://evil.example",
        True,
        "Restrict CORS to the configured origins",
    ),
    # ORFEAS's openapi.yaml lists neither /health nor /ready: a documentation finding, minor.
    "undocumented_routes": (
        "routes",
        "documentation: GET /health (health /health) is served but not in the OpenAPI document",
        True,
        "List every route the server serves in its OpenAPI document.",
    ),
    # A body saying degraded is the service's own report: the finding quotes it, no serving fix is shown.
    "health_degraded": ("health", "GET /api/health: 200 but its body says status=degraded (warn)", True, ""),
}
# Verdict switches (issue 20): the workbook cannot check; tested in test_verdicts.py.
VERDICT_SWITCHES = {"drop_route", "api_key_required"}
# Checks that need another check's results first (the outputs check downloads what generate made).
BEFORE = {"outputs": ["generate_cases"]}
# Checks no switch targets, and why.
NO_SWITCH = {
    "schemathesis": "finds the server errors of malformed_id_500 / no_json_500 too (test_schemathesis)",
}


def test_every_switch_has_a_row_and_every_check_a_switch_or_a_reason() -> None:
    assert set(MATRIX) | VERDICT_SWITCHES == fault_switch_names("studio")
    assert {check for check, *_ in MATRIX.values()} | set(NO_SWITCH) == set(CHECKS)


def test_all_switches_off_every_check_passes(run_checks: RunChecks) -> None:
    results = run_checks(list(CHECKS))
    failed = {check: r.detail for check, r in results.items() if r.status is not CheckStatus.PASS}
    assert not failed
    assert set(results) == set(CHECKS)
    assert all(not r.remedy for r in results.values())  # a pass never carries a fix
    # ORFEAS's by-design behaviours are passes: 400 for a bad image (contract: 400 or 415), 32 px
    # minimum (readiness uploads a 64 px image), Connection: close (soak says so, runs no keep-alive series),
    # 409 for a repeat while the first job runs.
    assert "keep-alive series not run" in results["soak"].detail


@pytest.mark.parametrize("switch", sorted(MATRIX))
def test_switch_is_caught_by_its_check(run_checks: RunChecks, switch: str) -> None:
    check_id, phrase, value, remedy = MATRIX[switch]
    result = run_checks([*BEFORE.get(check_id, []), check_id], faults={switch: value})[check_id]
    assert result.status is CheckStatus.FAIL, f"{switch}: {check_id} was {result.status.value}: {result.detail}"
    assert phrase in result.detail, result.detail
    if remedy:
        assert remedy in result.remedy, result.remedy
    else:
        assert result.remedy == "", result.remedy


def test_a_documentation_gap_is_minor_never_critical(run_checks: RunChecks) -> None:
    """ORFEAS's real openapi.yaml lacks /health and /ready: that reads as documentation, not a defect."""
    result = run_checks(["routes"], faults={"undocumented_routes": True})["routes"]
    assert result.severity is Severity.MINOR
    assert "/ready" in result.detail and all(p.startswith("documentation:") for p in result.detail.split("; "))


def test_a_refused_readiness_probe_is_an_error_not_a_lying_ready(run_checks: RunChecks) -> None:
    """The issue's false alarm: a 16x16 probe image, which ORFEAS refuses by design."""
    result = run_checks(["readiness"], readiness_image_px=16)["readiness"]
    assert result.status is CheckStatus.ERROR and result.reason == "setup", result.detail
    assert "Image too small: 16x16 (min 32x32)" in result.detail


def test_without_a_gpu_generation_fails_and_format_honesty_could_not_be_checked(
    run_checks: RunChecks, studio: Sandbox
) -> None:
    """ORFEAS as it ran from its code (no GPU): every 3D job fails 'insufficient resources'. The
    generation check reports that finding; the format check cannot judge files that do not exist."""
    admin = studio.outputs["studio"]["admin_url"]
    httpx.put(admin + "/_sandbox/options", json={"no_gpu": True}, timeout=5).raise_for_status()
    try:
        results = run_checks(["generate_cases", "outputs"], formats=["stl", "glb"])
    finally:
        httpx.delete(admin + "/_sandbox/options", timeout=5).raise_for_status()
    generate, outputs = results["generate_cases"], results["outputs"]
    assert generate.status is CheckStatus.FAIL
    assert "generate_3d row 'stl quality 5': accepted, then the job ended 'failed'" in generate.detail
    assert "insufficient resources" in generate.detail and generate.remedy == ""
    assert outputs.status is CheckStatus.ERROR and outputs.reason == "setup", outputs.detail
    assert outputs.detail.startswith("format honesty could not be observed: no 3D job finished")
    assert "insufficient resources" in outputs.detail and outputs.remedy == ""


def test_keep_alive_option_runs_both_series_and_passes(run_checks: RunChecks, studio: Sandbox) -> None:
    admin = studio.outputs["studio"]["admin_url"]
    httpx.put(admin + "/_sandbox/options", json={"keep_alive": True}, timeout=5).raise_for_status()
    try:
        result = run_checks(["soak"])["soak"]
    finally:
        httpx.delete(admin + "/_sandbox/options", timeout=5).raise_for_status()
    assert result.status is CheckStatus.PASS, result.detail
    assert "connections are reused" in result.detail


def test_hung_requests_are_released_when_the_switch_goes_off(run_checks: RunChecks, studio: Sandbox) -> None:
    url = studio.outputs["studio"]["url"] + "/api/text-to-image"
    run_checks([], faults={"hang_after": 0})
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(url, json={"prompt": "held"}, timeout=0.5)
    assert httpx.get(studio.outputs["studio"]["url"] + "/health", timeout=5).status_code == 200  # probes stay up
    run_checks([])  # clears the switches
    assert httpx.post(url, json={"prompt": "released"}, timeout=5).status_code == 200
