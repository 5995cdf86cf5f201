"""Every check passes on a healthy backend, and each fault switch is caught by its named check."""

from __future__ import annotations

import httpx
import pytest

from workbook.checks import CheckStatus
from workbook.persistence import CHECKS
from workbook.sandbox import Sandbox
from workbook.sandbox.refbackend import FAULTS

from .conftest import RunChecks

# switch -> a phrase the failing check's detail must contain (it names the defect).
DEFECT_DETAIL = {
    # The real backend's defects (seed 001).
    "sigv2_presign": "expected SigV4",
    "unknown_id_dead_url": "answered 200 with a presigned URL that answers 404 at the store",
    "get_skips_storage": "GET never contacts storage, so an outage yields a dead URL",
    "download_restores_nothing": "download_job_assets restored nothing",
    "model_rejection_swallowed": "answered 200 with zero images",
    "png_key_hardcoded": "that answered 404 at the store",
    "upload_fails_silently": "upload failed silently",
    "unknown_id_500": "refbackend_local: unknown id",
    # Defects other backends show.
    "non_unique_ids": "ids are not unique",
    "aspect_ratio_ignored": "not aspect ratio 16:9",
    "lenient_generate": "answered 200 (accepted an invalid request)",
    "bad_input_500": "answered 500, expected a 4xx",
    "serves_locally": "serves images locally",
    "debug_says_local": "config/debug misreports the serving mode",
    "debug_leaks_secret": "exposes a value under 'AWS_SECRET_ACCESS_KEY'",
    "cached_presign": "the backend caches presigned URLs",
    "no_content_type": "the service sent no ContentType",
    "redirect_permanent": "a permanent redirect that browsers and proxies cache",
    "base64_mismatch": "base64 in the response differs from the bytes served",
    "corrupt_local_bytes": "local GET bytes differ",
    "wrong_local_content_type": "content type 'application/octet-stream', expected image/png",
    "wrong_cloud_path": "cloud_path 'character_reference/",
    "wrong_object_content_type": "object content type 'binary/octet-stream'",
    "corrupt_cloud_bytes": "differs from the generated image (sha256 mismatch)",
    "wrong_expiry": "X-Amz-Expires=3600, expected the configured expiry 3",
    "bad_signature": "SignatureDoesNotMatch",
    "shared_cloud_key": "service: 1 distinct keys for 3 ids",
    "extension_ignored": "jpg: no object at",
    "redirect_bad_url": "Location",
    "no_cloud_fallback": "answered 502 instead of serving the image",
    "job_wrong_prefix": "job upload landed under the standalone prefix",
    "job_missing_character_refs": "character_references for",
    "download_corrupt": "files differ from the originals",
    "slow_presign": "ms per URL, budget",
}
# Not a defect: the condition check 9 creates itself (tested separately below).
CONDITIONS = {"storage_unreachable"}
# Checks that make their own requests (no generated images needed before them).
NO_IMAGES_NEEDED = {"generate", "aspect_ratio", "invalid_input", "config_secrets", "unknown_id"}
# Values for switches that take one (ms of delay for slow_presign: far above the test budget).
SWITCH_VALUES = {"slow_presign": 200}


def test_every_defect_switch_has_a_named_check_and_expected_detail() -> None:
    assert set(DEFECT_DETAIL) | CONDITIONS == set(FAULTS)
    assert {check for check, _ in FAULTS.values()} == set(CHECKS)


def test_all_switches_off_every_check_passes(run_checks: RunChecks, sandbox: Sandbox) -> None:
    results = run_checks(list(CHECKS))
    failed = {check: detail for check, (status, detail) in results.items() if status is not CheckStatus.PASS}
    assert not failed
    assert set(results) == set(CHECKS)


@pytest.mark.parametrize("switch", sorted(DEFECT_DETAIL))
def test_switch_is_caught_by_its_check(run_checks: RunChecks, switch: str) -> None:
    check_id = FAULTS[switch][0]
    sequence = [check_id] if check_id in NO_IMAGES_NEEDED else ["generate", check_id]
    # No switch needs the wait for a URL to expire to be caught (the all-off run still waits).
    results = run_checks(sequence, faults={switch: SWITCH_VALUES.get(switch, True)}, expired_wait_max_s=0.0)
    status, detail = results[check_id]
    assert status is CheckStatus.FAIL, f"{switch}: {check_id} was {status.value}: {detail}"
    assert DEFECT_DETAIL[switch] in detail


def test_fallback_check_restores_storage_and_needs_cloud_serving_first(run_checks: RunChecks, sandbox: Sandbox) -> None:
    admin_url = sandbox.outputs["refbackend"]["admin_url"]
    results = run_checks(["generate", "fallback"])
    assert results["fallback"][0] is CheckStatus.PASS, results["fallback"][1]
    assert httpx.get(admin_url + "/_sandbox/faults").json()["faults"] == {}


def test_an_outage_that_never_shows_is_a_skip_not_a_pass(run_checks: RunChecks, sandbox: Sandbox) -> None:
    # The "switch" that cuts storage does nothing: the backend keeps handing out working URLs.
    results = run_checks(["generate", "fallback"], storage_switch=lambda unreachable: None)
    assert results["fallback"][0] is CheckStatus.SKIP and "no outage seen" in results["fallback"][1]


def test_storage_down_from_the_start_makes_generate_report_the_upload_failure(run_checks: RunChecks) -> None:
    # A correct backend answers the failed upload (502 with a detail); it is not a silent 200 with cloud_url null.
    results = run_checks(["generate"], faults={"storage_unreachable": True})
    status, detail = results["generate"]
    assert status is CheckStatus.ERROR and "502" in detail and "StorageError" in detail, detail


def test_unknown_id_500_is_found_on_the_deployment_it_is_on(run_checks: RunChecks) -> None:
    results = run_checks(["unknown_id"], faults={"unknown_id_500": "cloud"})
    status, detail = results["unknown_id"]
    assert status is CheckStatus.FAIL and "refbackend: unknown id" in detail and "refbackend_local" not in detail


def test_fallback_check_skips_in_live_mode_without_opt_in(run_checks: RunChecks) -> None:
    results = run_checks(["generate", "fallback"], admin_url="")
    assert results["fallback"][0] is CheckStatus.SKIP


def test_without_a_service_the_service_checks_skip(run_checks: RunChecks) -> None:
    results = run_checks(
        ["generate", "uniqueness", "extensions", "job_association", "presign_benchmark"], service_import=""
    )
    assert results["uniqueness"][0] is CheckStatus.PASS
    assert {results[name][0] for name in ("extensions", "job_association", "presign_benchmark")} == {CheckStatus.SKIP}


def test_fallback_skips_when_the_backend_serves_locally(run_checks: RunChecks, sandbox: Sandbox) -> None:
    # A locally-serving deployment has no cloud serving to fall back from: not a pass.
    results = run_checks(["generate", "fallback"], backend_service="refbackend_local")
    assert results["fallback"][0] is CheckStatus.SKIP
