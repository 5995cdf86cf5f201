"""Checks that judge evidence fail when the evidence is wrong, handed over on purpose: another
task's result in place of a task's own must fail isolation; a result missing a wheel must fail
integrity; latency on a link nobody uses must not look like an outage survived."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

import pytest

from workbook.checks import CheckStatus
from workbook.sandbox import Sandbox
from workbook.tasks import Download, TaskClient

from .conftest import RunChecks, injected_anywhere


def test_a_result_holding_another_tasks_files_fails_isolation(
    run_checks: RunChecks, pipeline: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = TaskClient.download
    first: dict[str, Download] = {}

    def swapped(self: TaskClient, task_id: str) -> Download:
        """The first task's result is handed over for every later task (a shared work folder's answer)."""
        answer = real(self, task_id)
        if answer.status != 200:
            return answer
        return first.setdefault("result", answer)

    monkeypatch.setattr(TaskClient, "download", swapped)
    status, detail = run_checks(["isolation"])["isolation"]
    assert status is CheckStatus.FAIL
    assert "not in its package" in detail or "is missing from the result" in detail, detail
    assert injected_anywhere(pipeline) == []


def test_a_result_missing_a_wheel_fails_integrity(
    run_checks: RunChecks, pipeline: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = TaskClient.download

    def without_one_wheel(self: TaskClient, task_id: str) -> Download:
        answer = real(self, task_id)
        if answer.status != 200:
            return answer
        source, out = zipfile.ZipFile(BytesIO(answer.content)), BytesIO()
        dropped = sorted(n for n in source.namelist() if n.startswith("wheels/"))[0]
        with zipfile.ZipFile(out, "w") as target:
            for name in source.namelist():
                if name != dropped:
                    target.writestr(name, source.read(name))
        return Download(200, out.getvalue(), answer.content_type, answer.seconds)

    monkeypatch.setattr(TaskClient, "download", without_one_wheel)
    status, detail = run_checks(["result_integrity"])["result_integrity"]
    assert status is CheckStatus.FAIL and "wheels/ has no wheel for" in detail, detail


def test_429s_within_the_limit_are_the_platforms_fault(run_checks: RunChecks, monkeypatch: pytest.MonkeyPatch) -> None:
    """Creation pacing: the platform answering 429 below its stated limit fails the pacing check."""
    from workbook.tasks import Created, RepackagingDialect

    real = RepackagingDialect.create
    calls: dict[str, int] = {"n": 0}

    def first_refused(self: RepackagingDialect, http: Any, url: str) -> Created:
        calls["n"] += 1
        if calls["n"] == 1:
            return Created(429, {"error": "Rate limit exceeded: 30 per 1 minute"}, retry_after_s=0.1)
        return real(self, http, url)

    monkeypatch.setattr(RepackagingDialect, "create", first_refused)
    results = run_checks(["lifecycle", "creation_pacing"])
    assert results["lifecycle"][0] is CheckStatus.PASS, results["lifecycle"]
    status, detail = results["creation_pacing"]
    assert status is CheckStatus.FAIL and "answered 429 to 1 creation(s) made within its stated limit" in detail
