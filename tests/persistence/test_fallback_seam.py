"""The fallback check through its storage-switch seam, against an offline backend (no sandbox)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from workbook.checks import CheckStatus
from workbook.persistence._session import sandbox_storage_switch

from .offline import FakeBackend, open_run, run_check, run_checks


def test_fallback_passes_when_the_backend_serves_locally_while_storage_is_cut(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend()
    status, detail = run_check("fallback", open_run(backend, monkeypatch), tmp_path)
    assert status is CheckStatus.PASS, detail
    assert backend.switch_calls == [True, False] and backend.storage_up


def test_fallback_fails_naming_the_status_when_there_is_no_fallback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend()
    backend.fallback = False
    status, detail = run_check("fallback", open_run(backend, monkeypatch), tmp_path)
    assert status is CheckStatus.FAIL and "answered 502 instead of serving the image locally" in detail
    assert backend.switch_calls == [True, False]


def test_storage_is_restored_when_the_request_itself_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend()

    def refuse_while_cut(request: httpx.Request) -> None:
        if not backend.storage_up:
            raise httpx.ReadTimeout("backend hung", request=request)

    backend.on_get = refuse_while_cut
    status, detail = run_check("fallback", open_run(backend, monkeypatch), tmp_path)
    assert status is CheckStatus.ERROR and "backend hung" in detail
    assert backend.switch_calls == [True, False] and backend.storage_up


def test_storage_already_down_proves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Down from the start: the GET serves locally, so no cloud serving is seen to fall back from.
    backend = FakeBackend()
    backend.storage_up = False
    results = run_checks(["serving_mode", "fallback"], open_run(backend, monkeypatch), tmp_path)
    assert results["fallback"][0] is CheckStatus.SKIP and results["serving_mode"][0] is CheckStatus.FAIL
    # Down after cloud serving was seen: the check's own GET before the cut shows it.
    backend = FakeBackend()
    run = open_run(backend, monkeypatch)
    run.observe_serving()
    backend.storage_up = False
    status, detail = run_check("fallback", run, tmp_path)
    assert status is CheckStatus.FAIL and "before storage was cut the backend did not serve from cloud" in detail
    assert backend.switch_calls == []


def test_without_a_switch_the_check_runs_only_when_told_storage_is_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = FakeBackend()
    status, _ = run_check("fallback", open_run(backend, monkeypatch, switch=False), tmp_path)
    assert status is CheckStatus.SKIP
    backend.storage_up = False  # the user cut storage off by hand and says so
    status, detail = run_check(
        "fallback", open_run(backend, monkeypatch, switch=False, fallback_check_live=True), tmp_path
    )
    assert status is CheckStatus.PASS, detail


def test_the_default_switch_is_the_sandbox_fault_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr(
        "workbook.persistence._session.set_faults", lambda url, changes: calls.append((url, dict(changes))) or {}
    )
    switch = sandbox_storage_switch("http://127.0.0.1:1")
    switch(True)
    switch(False)
    assert calls == [
        ("http://127.0.0.1:1", {"storage_unreachable": True}),
        ("http://127.0.0.1:1", {"storage_unreachable": None}),
    ]
