"""When the workbook cannot exercise the studio, the affected checks end `error` with the reason
class, at once and in the platform's own words — never `fail` (issue 20): a route the dialect needs
dropped (error/dialect naming METHOD PATH and the parameter that sets it), an API key the profile
does not send (error/auth), a server nobody listens for (error/unreachable), a setup that fails
(every check error/setup). And a profile that sends the key gets through."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from workbook.checks import Checks, CheckStatus, ErrorReason
from workbook.contract import CHECK_FUNCTIONS, CHECKS, ContractRun, ContractSettings

from .conftest import RunChecks, notebook_defaults, profile_for

# A fast run: no 50 MiB oversize body, a small large-image row (the checks must answer in well under a second).
QUICK = {"upload_limit_bytes": 0, "large_image_bytes": 20_000}
# route dropped -> (the checks that need it, what the detail names, the parameter that sets the route)
DROPS: dict[str, tuple[list[str], str, str]] = {
    "/api/upload-image": (
        ["routes", "readiness", "upload_cases", "generate_cases", "soak", "upload_security"],
        "POST /api/upload-image answered 405",
        "dialect_options.upload_path",
    ),
    "/api/text-to-image": (
        ["routes", "text_cases", "soak", "upload_security"],
        "POST /api/text-to-image answered 405",
        "dialect_options.text_to_image_path",
    ),
    "/api/generate-3d": (
        ["routes", "readiness", "generate_cases"],
        "POST /api/generate-3d answered 405",
        "dialect_options.generate_3d_path",
    ),
    "/api/job-status/{job_id}": (
        ["routes", "text_cases", "generate_cases"],
        "answered 404: the platform has no such route",
        "dialect_options.job_status_path",
    ),
    "/api/health": (["health", "soak"], "GET /api/health answered 404", "dialect_options.health_paths"),
}
# Said at once, not after a timeout: well inside the profile's 10 s read timeout. The figure itself
# (tens of ms; the soak's series before the dropped route ~0.4 s) is measured by
# scripts/bench_contract_verdicts.py, not asserted here.
NO_TIMEOUT_WAITED_S = 5.0


@pytest.mark.parametrize("route", sorted(DROPS))
def test_a_dropped_route_ends_the_checks_that_need_it_as_dialect_errors(run_checks: RunChecks, route: str) -> None:
    affected, named, param = DROPS[route]
    results = run_checks(affected, faults={"drop_route": route}, **QUICK)
    for check_id in affected:
        result = results[check_id]
        assert result.status is CheckStatus.ERROR, f"{check_id}: {result.status.value}: {result.detail}"
        assert result.reason is ErrorReason.DIALECT, f"{check_id}: {result.reason}: {result.detail}"
        assert named in result.detail and param in result.detail, f"{check_id}: {result.detail}"
        assert result.remedy == ""
        assert result.duration_s < NO_TIMEOUT_WAITED_S, f"{check_id} took {result.duration_s:.2f} s to say so"


def test_the_other_checks_still_run_when_a_route_is_dropped(run_checks: RunChecks) -> None:
    """Only what needs the dropped route is could-not-check; the rest is judged as usual, and
    Schemathesis leaves out the documented operation the platform does not serve, saying so."""
    checks = ["health", "upload_cases", "download_safety", "schemathesis"]
    results = run_checks(checks, faults={"drop_route": "/api/text-to-image"})
    assert {check: r.status for check, r in results.items()} == dict.fromkeys(results, CheckStatus.PASS)
    fuzz = results["schemathesis"]
    assert "POST /api/text-to-image not tested: the platform does not serve it" in fuzz.detail
    assert fuzz.measured["not_served"] == ["POST /api/text-to-image"]
    assert "POST /api/text-to-image" not in fuzz.measured["operations_tested"]


def test_a_prefix_mistake_is_named_with_the_setting_to_change(run_checks: RunChecks) -> None:
    """The seed's mistake the other way round: the workbook asks for /text-to-image, the platform serves /api/..."""
    options = {"text_to_image_path": "/text-to-image"}
    result = run_checks(["routes"], dialect_options=options)["routes"]
    assert result.status is CheckStatus.ERROR and result.reason is ErrorReason.DIALECT
    assert "POST /text-to-image answered 405" in result.detail
    assert "dialect_options.text_to_image_path" in result.detail
    assert "POST /api/text-to-image answered 400: the platform serves it with the /api prefix" in result.detail


def test_an_api_key_the_profile_does_not_send_ends_every_check_as_an_auth_error(run_checks: RunChecks) -> None:
    results = run_checks(list(CHECKS), faults={"api_key_required": True}, **QUICK)
    for check_id, result in results.items():
        assert result.status is CheckStatus.ERROR, f"{check_id}: {result.status.value}: {result.detail}"
        assert result.reason is ErrorReason.AUTH, f"{check_id}: {result.reason}: {result.detail}"
        assert "answered 401 with the credentials of service 'studio' (no credentials)" in result.detail
        assert "API key required" in result.detail  # the platform's own words
        assert result.duration_s < NO_TIMEOUT_WAITED_S, f"{check_id} took {result.duration_s:.2f} s to say so"


def test_a_profile_that_sends_the_key_gets_through(run_checks: RunChecks) -> None:
    """The credential travels from the profile (header named there, secret from the variable it
    names) on every request, Schemathesis' included; its value appears in no result."""
    import os

    auth = {"kind": "header", "name": "X-API-Key", "secret_env": "SANDBOX_STUDIO_API_KEY"}
    checks = ["health", "routes", "upload_cases", "schemathesis", "download_safety", "soak"]
    results = run_checks(checks, faults={"api_key_required": True}, profile={"auth": auth}, **QUICK)
    failed = {check: r.detail for check, r in results.items() if r.status is not CheckStatus.PASS}
    assert not failed
    key = os.environ["SANDBOX_STUDIO_API_KEY"]
    assert all(key not in r.model_dump_json() for r in results.values())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_server_nobody_listens_for_is_unreachable_not_a_defect(tmp_path: Path) -> None:
    values = {**notebook_defaults(), "services": profile_for(f"http://127.0.0.1:{_closed_port()}")}
    run = ContractRun.open(ContractSettings.of(**values), evidence=tmp_path)
    checks = Checks("40_api_contract", CHECKS, results_dir=tmp_path)
    for check_id in ("health", "routes", "upload_cases", "download_safety", "upload_security"):
        with checks.run(check_id) as c:
            CHECK_FUNCTIONS[check_id](c, run)
    run.close()
    for result in checks.results:
        assert result.status is CheckStatus.ERROR and result.reason is ErrorReason.UNREACHABLE, result
        assert "could not reach" in result.detail and "ConnectError" in result.detail


def test_a_failed_setup_still_records_every_check_as_a_setup_error(tmp_path: Path) -> None:
    """The notebook's cells, in order: declare, set up (an unknown profile name), run every check."""
    checks = Checks("40_api_contract", CHECKS, results_dir=tmp_path)
    values = {**notebook_defaults(), "services": profile_for("http://127.0.0.1:1"), "studio_service": "orfeas"}
    settings = checks.setup(ContractSettings.of, **values)
    run = checks.setup(ContractRun.open, settings)
    assert not run
    for check_id, check in CHECK_FUNCTIONS.items():
        with checks.run(check_id) as c:
            check(c, run)  # type: ignore[arg-type]
    table = checks.finish()
    assert list(table["status"]) == ["error"] * len(CHECKS)
    assert set(table["reason"]) == {"setup"}
    assert all("no service profile 'orfeas'; profiles given: studio" in detail for detail in table["detail"])
