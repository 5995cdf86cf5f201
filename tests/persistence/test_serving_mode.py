"""Serving mode is decided from what the GET returns, not from how config/debug spells its keys.

The issue's case: an independently written backend answers config/debug with the seed's env-var
names (`SERVE_FROM_CLOUD: true`). Read as lowercase-only, that looked like local serving: with no
local deployment the JSON body was hashed as the PNG; with one, every cloud check skipped green.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbook.checks import CheckStatus
from workbook.persistence._config import config_claim

from .offline import FakeBackend, open_run, run_checks, run_results

CLOUD_CHECKS = ["cloud_get", "presigned_url", "uniqueness", "redirect", "fallback"]


def test_seed_env_var_names_mean_cloud_and_generate_passes_without_a_local_deployment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend(config={"SERVE_FROM_CLOUD": True, "STORAGE_BACKEND": "s3"})
    run = open_run(backend, monkeypatch, with_images=False)
    results = run_results(["generate", "serving_mode", "local_get", *CLOUD_CHECKS], run, tmp_path)
    assert results["generate"].status is CheckStatus.PASS, results["generate"].detail
    assert results["serving_mode"].status is CheckStatus.PASS, results["serving_mode"].detail
    assert results["serving_mode"].measured["serving"] == "cloud"
    assert results["serving_mode"].measured["config_key"] == "SERVE_FROM_CLOUD"
    assert results["local_get"].status is CheckStatus.SKIP  # no locally-serving deployment was given
    for check_id in CLOUD_CHECKS:
        assert results[check_id].status is CheckStatus.PASS, (check_id, results[check_id].detail)


def test_local_serving_with_storage_configured_fails_instead_of_skipping_every_cloud_check(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend(config={"SERVE_FROM_CLOUD": True}, serves="local")
    services = {"refbackend": {"url": "http://backend.test"}, "refbackend_local": {"url": "http://backend.test"}}
    run = open_run(backend, monkeypatch, services=services, local_backend_service="refbackend_local")
    results = run_checks(["serving_mode", "local_get", *CLOUD_CHECKS], run, tmp_path)
    status, detail = results["serving_mode"]
    assert status is CheckStatus.FAIL
    assert "serves images locally" in detail and "every cloud check would be skipped" in detail
    assert "config/debug key 'SERVE_FROM_CLOUD' says True" in detail  # the claim the GET contradicts
    assert results["local_get"][0] is CheckStatus.PASS
    for check_id in CLOUD_CHECKS:
        status, reason = results[check_id]
        assert status is CheckStatus.SKIP, check_id
        assert "answered 200 image/png" in reason and "serve_from_cloud=false" not in reason


@pytest.mark.parametrize(
    "config",
    [None, "<html>debug disabled</html>", {"storage_backend": "s3"}, {"SERVE_FROM_CLOUD": "sometimes"}],
    ids=["no-endpoint", "not-json", "no-key", "not-a-boolean"],
)
def test_unreadable_config_is_unknown_and_the_cloud_checks_run(
    config: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend(config=config)
    run = open_run(backend, monkeypatch)
    # presigned_url is left out: it waits a second per run, and cloud serving is what is shown here.
    checks = ["cloud_get", "uniqueness", "redirect", "fallback"]
    results = run_results(["serving_mode", *checks], run, tmp_path)
    assert results["serving_mode"].status is CheckStatus.PASS, results["serving_mode"].detail
    assert "config/debug" in results["serving_mode"].detail and "decided from the GET" in results["serving_mode"].detail
    for check_id in checks:
        assert results[check_id].status is CheckStatus.PASS, (check_id, results[check_id].detail)


def test_config_that_misreports_the_mode_fails_and_the_cloud_checks_still_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend(config={"serve_from_cloud": False})
    run = open_run(backend, monkeypatch)
    results = run_checks(["serving_mode", "cloud_get"], run, tmp_path)
    status, detail = results["serving_mode"]
    assert status is CheckStatus.FAIL
    assert "config/debug key 'serve_from_cloud' says False" in detail and "JSON with image_url" in detail
    assert results["cloud_get"][0] is CheckStatus.PASS


def test_a_get_that_is_neither_json_nor_an_image_is_unknown_and_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend(serves="error")
    run = open_run(backend, monkeypatch)
    results = run_checks(["serving_mode", "cloud_get"], run, tmp_path)
    assert results["serving_mode"][0] is CheckStatus.FAIL and "answered 500" in results["serving_mode"][1]
    assert results["cloud_get"][0] is CheckStatus.FAIL  # run, not skipped: it names the 500 too


@pytest.mark.parametrize(
    ("config", "key", "value"),
    [
        ({"serve_from_cloud": True}, "serve_from_cloud", True),
        ({"SERVE_FROM_CLOUD": "true"}, "SERVE_FROM_CLOUD", True),
        ({"serveFromCloud": False}, "serveFromCloud", False),
        ({"settings": {"SERVE_FROM_CLOUD": "0"}}, "settings.SERVE_FROM_CLOUD", False),
        ({"SERVE_FROM_CLOUD": "yes", "serve_from_cloud": True}, "SERVE_FROM_CLOUD", True),
    ],
)
def test_config_claim_reads_any_spelling_and_names_the_key(config: dict[str, Any], key: str, value: bool) -> None:
    claim = config_claim(config)
    assert (claim.key, claim.serves_from_cloud) == (key, value)


def test_config_claims_that_disagree_are_unknown() -> None:
    claim = config_claim({"SERVE_FROM_CLOUD": "true", "serve_from_cloud": False})
    assert claim.serves_from_cloud is None and "disagree" in claim.why
