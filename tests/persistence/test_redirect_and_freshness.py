"""Redirects must be temporary, and every URL the backend hands out must be signed for the request
(a backend that caches one presigned URL per id passes any check that runs before it expires)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook.checks import CheckStatus

from .offline import FakeBackend, open_run, run_check, run_checks


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirects_pass(status: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend()
    backend.redirect_status = status
    result = run_check("redirect", open_run(backend, monkeypatch), tmp_path)
    assert result[0] is CheckStatus.PASS, result[1]


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirects_to_an_expiring_url_fail(
    status: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend()
    backend.redirect_status = status
    result = run_check("redirect", open_run(backend, monkeypatch), tmp_path)
    assert result[0] is CheckStatus.FAIL
    assert f"answered {status}, a permanent redirect" in result[1] and "expected 302, 303 or 307" in result[1]


def test_a_backend_that_caches_presigned_urls_fails_even_before_they_expire(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend()
    backend.cache_urls = True
    run = open_run(backend, monkeypatch, signing_tolerance_s=2.0)
    results = run_checks(["presigned_url"], run, tmp_path)
    status, detail = results["presigned_url"]
    assert status is CheckStatus.FAIL
    assert "returned the same URL" in detail and "caches presigned URLs" in detail


def test_an_old_url_is_stale_wherever_it_is_served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend()
    backend.sign_age_s = 120
    run = open_run(backend, monkeypatch, signing_tolerance_s=2.0)
    results = run_checks(["cloud_get", "presigned_url", "redirect"], run, tmp_path)
    for check_id in ("cloud_get", "presigned_url", "redirect"):
        status, detail = results[check_id]
        assert status is CheckStatus.FAIL, check_id
        assert "signed 120 s before it was requested" in detail, (check_id, detail)


def test_fresh_urls_pass_with_a_second_request(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend()
    run = open_run(backend, monkeypatch, signing_tolerance_s=2.0)
    status, detail = run_check("presigned_url", run, tmp_path)
    assert status is CheckStatus.PASS, detail
