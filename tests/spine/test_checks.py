"""The Checks API: outcomes, expectations, never-run checks, incremental results.json, redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbook import Checks, read_secret


def new(tmp_path: Path) -> Checks:
    return Checks("nb", {"a": "first", "b": "second", "c": "third"}, results_dir=tmp_path)


def statuses(tmp_path: Path) -> dict[str, str]:
    data = json.loads((tmp_path / "results.json").read_text())
    return {check["id"]: check["status"] for check in data["checks"]}


def test_expect_collects_every_problem_and_fails(tmp_path: Path) -> None:
    checks = new(tmp_path)
    with checks.run("a") as check:
        check.expect(False, "first defect")
        check.expect(True, "not a defect")
        check.expect(0, "second defect")
    result = checks.results[0]
    assert result.status == "fail" and result.detail == "first defect; second defect"


def test_assertion_fail_skip_and_error(tmp_path: Path) -> None:
    checks = new(tmp_path)
    with checks.run("a"):
        raise AssertionError("asserted wrong")
    with checks.run("b") as check:
        check.skip("live only")
    with checks.run("c"):
        raise ValueError("unexpected")
    assert statuses(tmp_path) == {"a": "fail", "b": "skip", "c": "error"}
    assert checks.results[2].detail == "ValueError: unexpected"
    assert not checks.all_passed


def test_pass_records_notes_measurements_and_duration(tmp_path: Path) -> None:
    checks = new(tmp_path)
    with checks.run("a") as check:
        check.measure(latency_ms=3.5)
        check.note("fine")
    result = checks.results[0]
    assert (result.status, result.detail, result.measured) == ("pass", "fine", {"latency_ms": 3.5})
    assert result.duration_s >= 0


def test_results_file_is_written_after_each_check(tmp_path: Path) -> None:
    checks = new(tmp_path)
    assert statuses(tmp_path) == {}
    with checks.run("a"):
        pass
    assert statuses(tmp_path) == {"a": "pass"}


def test_finish_marks_never_run_checks_as_errors(tmp_path: Path) -> None:
    checks = new(tmp_path)
    with checks.run("a"):
        pass
    table = checks.finish()
    assert list(table["status"]) == ["pass", "error", "error"]
    assert set(table.columns) >= {"id", "title", "status", "detail", "duration_s"}


def test_undeclared_check_is_a_clear_error(tmp_path: Path) -> None:
    checks = new(tmp_path)
    with pytest.raises(KeyError, match="'zz' was not declared"), checks.run("zz"):
        pass


def test_rerun_replaces_the_earlier_outcome(tmp_path: Path) -> None:
    checks = new(tmp_path)
    with checks.run("a"):
        raise AssertionError("first try")
    with checks.run("a"):
        pass
    assert statuses(tmp_path) == {"a": "pass"}


def test_secrets_read_through_read_secret_are_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WB_TEST_TOKEN", "canary-secret-4242")
    token = read_secret("WB_TEST_TOKEN")
    checks = new(tmp_path)
    with checks.run("a") as check:
        check.fail(f"server rejected {token}")
    assert "canary-secret-4242" not in (tmp_path / "results.json").read_text()
    assert "canary-secret-4242" not in capsys.readouterr().out
