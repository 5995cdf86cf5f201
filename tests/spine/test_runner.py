"""Runner failure modes: every way a notebook can end still leaves complete, honest evidence."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest

from wb_testing import FIXTURE_NOTEBOOKS
from workbook.evidence import sha256_file
from workbook.params import load_plan
from workbook.runner import RunOutcome, run

pytestmark = pytest.mark.notebook
API = {"api_url": "http://127.0.0.1:1"}


def run_fixtures(
    write_params: Callable[..., Path], tmp_path: Path, notebooks: dict[str, dict[str, Any]], **extra: Any
) -> RunOutcome:
    document = {"profile": "test", "sandbox": [], "cell_timeout_s": 20, "notebooks": notebooks, **extra}
    plan = load_plan(write_params(document), notebooks_dir=FIXTURE_NOTEBOOKS)
    lines: list[str] = []
    outcome = run(plan, outputs_dir=tmp_path / "outputs", emit=lines.append)
    outcome.manifest.reason += ""  # the manifest object stays usable after the run
    (tmp_path / "console.txt").write_text("\n".join(lines))
    return outcome


def manifest(outcome: RunOutcome) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((outcome.bundle / "manifest.json").read_text())
    return data


def test_passing_notebook_gives_exit_0_and_complete_bundle(write_params: Callable[..., Path], tmp_path: Path) -> None:
    outcome = run_fixtures(write_params, tmp_path, {"passes": API})
    assert outcome.exit_code == 0
    data = manifest(outcome)
    assert data["status"] == "passed" and data["exit_status"] == 0
    entry = data["notebooks"][0]
    assert entry["status"] == "passed" and entry["checks"]["pass"] == 2
    for name in ("passes/passes.ipynb", "passes/passes.html", "passes/results.json", "index.html"):
        assert (outcome.bundle / name).exists(), name
        assert data["files"][name] == sha256_file(outcome.bundle / name)
    assert (outcome.bundle.parent / "latest").resolve() == outcome.bundle.resolve()
    for key in ("run_id", "profile", "started_at", "ended_at", "git", "host", "python", "packages", "params"):
        assert data[key], key
    assert data["packages"]["papermill"] == "2.7.0"
    assert data["params"]["notebooks"]["passes"] == API
    executed = nbformat.read(outcome.bundle / "passes/passes.ipynb", as_version=4)
    assert any("injected-parameters" in cell.metadata.get("tags", []) for cell in executed.cells)
    figure_outputs = [
        output
        for cell in executed.cells
        if cell.cell_type == "code" and "Figure(" in cell.source
        for output in cell.outputs
    ]
    assert any("image/png" in output.get("data", {}) for output in figure_outputs), "figures must render as images"
    console = (tmp_path / "console.txt").read_text()
    assert "[progress] working on 3 things" in console and "PASSED" in console


def test_failed_check_and_unrun_check_fail_the_run(write_params: Callable[..., Path], tmp_path: Path) -> None:
    outcome = run_fixtures(write_params, tmp_path, {"fails_check": API})
    assert outcome.exit_code == 1
    entry = manifest(outcome)["notebooks"][0]
    assert entry["status"] == "failed" and entry["checks"] == {"pass": 0, "fail": 1, "skip": 0, "error": 1}
    results = json.loads((outcome.bundle / "fails_check/results.json").read_text())
    by_id = {check["id"]: check for check in results["checks"]}
    assert "count 3 is not above 100" in by_id["positive"]["detail"]
    assert by_id["never"]["status"] == "error" and "not run" in by_id["never"]["detail"]


def test_raising_notebook_is_marked_failed_with_exception(write_params: Callable[..., Path], tmp_path: Path) -> None:
    outcome = run_fixtures(write_params, tmp_path, {"raises": API, "passes": API})
    assert outcome.exit_code == 1
    first, second = manifest(outcome)["notebooks"]
    assert first["status"] == "failed" and first["exception_class"] == "RuntimeError"
    assert "boom from the fixture" in first["exception_message"]
    assert first["checks"]["pass"] == 1 and first["checks"]["error"] == 1
    assert second["status"] == "passed", "one failing notebook must not stop the next"
    assert (outcome.bundle / "raises/raises.html").exists()


def test_timeout_is_recorded_in_manifest_and_notebook(write_params: Callable[..., Path], tmp_path: Path) -> None:
    outcome = run_fixtures(write_params, tmp_path, {"sleeps": API}, cell_timeout_s=3)
    assert outcome.exit_code == 1
    entry = manifest(outcome)["notebooks"][0]
    assert entry["status"] == "timeout" and entry["exception_class"] == "CellTimeoutError"
    assert "3 s" in entry["reason"]
    executed = nbformat.read(outcome.bundle / "sleeps/sleeps.ipynb", as_version=4)
    assert "workbook-failure" in executed.cells[0].metadata.get("tags", [])
    assert "TIMEOUT" in executed.cells[0].source


def test_dead_kernel_is_recorded(write_params: Callable[..., Path], tmp_path: Path) -> None:
    outcome = run_fixtures(write_params, tmp_path, {"dies": API})
    assert outcome.exit_code == 1
    entry = manifest(outcome)["notebooks"][0]
    assert entry["status"] == "kernel_died" and entry["exception_class"] == "DeadKernelError"
    assert (outcome.bundle / "dies/dies.ipynb").exists() and (outcome.bundle / "dies/dies.html").exists()


def test_canary_secrets_never_reach_the_bundle(
    write_params: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "canary-token-7f3a9c1e5b"
    other = "canary-aws-secret-0d4e2b8a"
    monkeypatch.setenv("CANARY_TOKEN", canary)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", other)  # a secret-looking variable no param names
    outcome = run_fixtures(write_params, tmp_path, {"leaks": API})
    # Scrubbed everywhere, and the notebook whose evidence held a secret fails, naming the files.
    assert outcome.exit_code == 1
    entry = manifest(outcome)["notebooks"][0]
    assert entry["status"] == "failed" and "secret values had to be scrubbed" in entry["reason"]
    assert "leaks/dump.txt" in entry["reason"]
    leaked = [
        str(path)
        for path in outcome.bundle.rglob("*")
        if path.is_file() and (canary.encode() in path.read_bytes() or other.encode() in path.read_bytes())
    ]
    assert leaked == []
    assert "REDACTED" in (outcome.bundle / "leaks/dump.txt").read_text()
    assert canary not in (tmp_path / "console.txt").read_text()


def test_index_html_lists_notebooks_checks_and_links(write_params: Callable[..., Path], tmp_path: Path) -> None:
    outcome = run_fixtures(write_params, tmp_path, {"fails_check": API})
    page = (outcome.bundle / "index.html").read_text()
    assert "fails_check" in page and "count 3 is not above 100" in page
    assert 'href="fails_check/fails_check.html"' in page and ">failed<" in page


def test_sandbox_credentials_never_reach_the_bundle(
    write_params: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbook.sandbox import ServiceContext

    canaries = iter(f"canary-sandbox-credential-{index:04d}" for index in range(100))
    monkeypatch.setattr(ServiceContext, "new_secret", staticmethod(lambda length=32: next(canaries)))
    monkeypatch.setenv("CANARY_TOKEN", "canary-token-for-sandbox-run")
    outcome = run_fixtures(write_params, tmp_path, {"leaks": API}, sandbox=["s3"])
    assert outcome.exit_code == 1 and "scrubbed" in manifest(outcome)["notebooks"][0]["reason"]
    leaked = [
        str(path)
        for path in outcome.bundle.rglob("*")
        if path.is_file() and b"canary-sandbox-credential" in path.read_bytes()
    ]
    assert leaked == []
    assert manifest(outcome)["secret_scan"]["files_scrubbed"], "the fixture does leak; the scrubber must catch it"


def test_a_failed_setup_records_every_declared_check_as_error_setup(
    write_params: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WB_UNSET_API_URL", raising=False)
    services = {"api": {"url_env": "WB_UNSET_API_URL"}}
    outcome = run_fixtures(write_params, tmp_path, {"uses_services": {}}, services=services)
    assert outcome.exit_code == 1
    results = json.loads((outcome.bundle / "uses_services/results.json").read_text())
    rows = {row["id"]: (row["status"], row["reason"], row["detail"]) for row in results["checks"]}
    assert set(rows) == {"reach", "later"}, "no declared check vanishes when the setup fails"
    for status, reason, detail in rows.values():
        assert (status, reason) == ("error", "setup")
        assert "WB_UNSET_API_URL" in detail and "is not set" in detail
    entry = manifest(outcome)["notebooks"][0]
    assert entry["could_not_check"] == {"setup": 2} and entry["checks"]["fail"] == 0
    assert "0 failed, 2 could not check (setup 2)" in (tmp_path / "console.txt").read_text()


def test_service_profile_secrets_never_reach_the_bundle(
    write_params: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url_password, api_key = "canary-url-password-5521", "canary-api-key-value-9034"
    monkeypatch.setenv("WB_CANARY_API_URL", f"http://user:{url_password}@127.0.0.1:1/")
    monkeypatch.setenv("WB_CANARY_API_KEY", api_key)
    services = {
        "api": {
            "url_env": "WB_CANARY_API_URL",
            "auth": {"kind": "header", "name": "X-API-Key", "secret_env": "WB_CANARY_API_KEY"},
        }
    }
    outcome = run_fixtures(write_params, tmp_path, {"uses_services": {}}, services=services)
    leaked = [
        str(path)
        for path in outcome.bundle.rglob("*")
        if path.is_file() and (url_password.encode() in path.read_bytes() or api_key.encode() in path.read_bytes())
    ]
    assert leaked == []
    console = (tmp_path / "console.txt").read_text()
    assert url_password not in console and api_key not in console
    # The notebook put the key into a check's detail on purpose: the kernel redacted it as it wrote.
    results = (outcome.bundle / "uses_services/results.json").read_text()
    assert "'X-API-Key': '***REDACTED***'" in results
