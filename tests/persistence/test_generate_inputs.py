"""Generate is tried beyond the configured request: a non-square aspect ratio (a backend that
ignores the ratio passes 1:1 everywhere) and invalid requests, which must be refused with a 4xx."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook import UsageError
from workbook.checks import CheckStatus

from .conftest import settings_of
from .offline import MAX_IMAGES, FakeBackend, open_run, run_check, run_results

VALID = {"services": {"refbackend": {"url": "http://127.0.0.1:8000"}}, "storage_bucket": "b"}


def test_a_non_square_ratio_is_requested_and_its_size_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend()
    status, detail = run_check("aspect_ratio", open_run(backend, monkeypatch, other_aspect_ratio="16:9"), tmp_path)
    assert status is CheckStatus.PASS, detail
    assert [request["aspect_ratio"] for request in backend.generate_requests] == ["16:9"]


def test_a_backend_that_ignores_the_ratio_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend()
    backend.ratio_ignored = True
    status, detail = run_check("aspect_ratio", open_run(backend, monkeypatch, other_aspect_ratio="16:9"), tmp_path)
    assert status is CheckStatus.FAIL and "is 48x48, not aspect ratio 16:9" in detail


def test_invalid_requests_are_sent_and_refusals_pass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend()
    run = open_run(backend, monkeypatch, max_num_images=MAX_IMAGES)
    result = run_results(["invalid_input"], run, tmp_path)["invalid_input"]
    assert result.status is CheckStatus.PASS, result.detail
    sent = backend.generate_requests
    assert {request["num_images"] for request in sent} >= {0, MAX_IMAGES + 1}
    assert any(request["character_description"] == "" for request in sent)
    assert any(request["aspect_ratio"] == "not-a-ratio" for request in sent)
    assert set(result.measured["statuses"].values()) == {422}


def test_a_backend_that_accepts_invalid_requests_fails_naming_each(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend()
    backend.validation = "lenient"
    status, detail = run_check("invalid_input", open_run(backend, monkeypatch, max_num_images=MAX_IMAGES), tmp_path)
    assert status is CheckStatus.FAIL
    for case in ("num_images=0", f"num_images={MAX_IMAGES + 1}", "empty character_description", "aspect_ratio"):
        assert f"{case}" in detail
    assert "answered 200 (accepted an invalid request), expected a 4xx with a detail" in detail


def test_a_backend_that_crashes_on_invalid_requests_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend()
    backend.validation = "crash"
    status, detail = run_check("invalid_input", open_run(backend, monkeypatch, max_num_images=MAX_IMAGES), tmp_path)
    assert status is CheckStatus.FAIL and "answered 500" in detail


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"other_aspect_ratio": "1:1"}, "'other_aspect_ratio': value '1:1': expected a non-square ratio"),
        ({"other_aspect_ratio": "2:2"}, "expected a non-square ratio"),
        ({"aspect_ratio": "16:9", "other_aspect_ratio": "32:18"}, "expected a ratio other than aspect_ratio"),
        ({"num_images": 9, "max_num_images": 8}, "num_images 9 is above max_num_images 8"),
    ],
)
def test_settings_reject_a_useless_second_ratio_or_maximum(override: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        settings_of(**{**VALID, **override})
