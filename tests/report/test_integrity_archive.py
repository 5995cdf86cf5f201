"""verify catches every kind of tampering; signing proves where a manifest came from; a SIGKILLed
runner's bundle reads as aborted; archive round-trips through the sandbox's SeaweedFS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from wb_testing import FIXTURE_NOTEBOOKS, REPO
from workbook._cli import main
from workbook.checks import CheckStatus, NotebookResults, final_results, write_results
from workbook.evidence import NotebookEntry, effective_status, load_bundle, verify_bundle
from workbook.params import NotebookPlan, load_plan
from workbook.runner import Ending, KernelContext, run, settle_entry

KEY_ENV = "WB_TEST_SIGNING_KEY"


def _execute(plan: NotebookPlan, out_dir: Path, context: KernelContext) -> NotebookEntry:
    results = NotebookResults(notebook=plan.name, declared={"a": "works", "b": "also works"})
    results = results.model_copy(
        update={
            "checks": [
                results.result("a", CheckStatus.PASS, measured={"ms": 1.5}),
                results.result("b", CheckStatus.SKIP, "live only"),
            ]
        }
    )
    write_results(out_dir / "results.json", results)
    (out_dir / f"{plan.name}.ipynb").write_text("{}")
    return settle_entry(plan.name, Ending(), final_results(results, "-"), started_at=None, duration_s=0.1)


@pytest.fixture
def sealed_bundle(write_params: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(KEY_ENV, "signing-key-for-tests-5a4b3c")
    document = {"profile": "verify", "sandbox": [], "notebooks": {"passes": {"api_url": "http://127.0.0.1:1"}}}
    plan = load_plan(write_params(document), notebooks_dir=FIXTURE_NOTEBOOKS)
    lines: list[str] = []
    outcome = run(plan, outputs_dir=tmp_path / "out", emit=lines.append, execute=_execute, signing_key_env=KEY_ENV)  # type: ignore[arg-type]
    assert outcome.exit_code == 0
    assert any("PASSED, 1 skipped (passes/b: live only)" in line for line in lines), lines
    return outcome.bundle


def test_fresh_bundle_verifies_with_its_signature(sealed_bundle: Path) -> None:
    report = verify_bundle(sealed_bundle, key_env=KEY_ENV)
    assert report.ok and report.signature == "valid", report.lines()
    assert {"index.html", "junit.xml", "summary.json", "history.json", "passes/results.json"} <= set(
        json.loads((sealed_bundle / "manifest.json").read_text())["files"]
    )
    assert "signing-key-for-tests" not in (sealed_bundle / "manifest.json.sig").read_text()


@pytest.mark.parametrize("tamper", ["edit", "delete", "add", "manifest", "unsigned"])
def test_every_kind_of_tampering_is_named(sealed_bundle: Path, tamper: str, capsys: pytest.CaptureFixture[str]) -> None:
    if tamper == "edit":
        path = sealed_bundle / "passes" / "results.json"
        path.write_text(path.read_text().replace('"pass"', '"fail"', 1))
        expected = "changed (sha256 differs): passes/results.json"
    elif tamper == "delete":
        (sealed_bundle / "junit.xml").unlink()
        expected = "missing: junit.xml"
    elif tamper == "add":
        (sealed_bundle / "passes" / "extra.png").write_bytes(b"\x89PNG")
        expected = "extra (not in manifest): passes/extra.png"
    elif tamper == "manifest":
        manifest = json.loads((sealed_bundle / "manifest.json").read_text())
        manifest["status"] = "passed"
        manifest["files"]["passes/results.json"] = "0" * 64
        (sealed_bundle / "manifest.json").write_text(json.dumps(manifest))
        expected = "signature: invalid (digest differs)"
    else:
        (sealed_bundle / "manifest.json.sig").unlink()
        expected = "signature: absent"
    assert main(["verify", str(sealed_bundle), "--key-env", KEY_ENV]) == 1
    assert expected in capsys.readouterr().out


def test_runner_killed_with_sigkill_reads_as_aborted(write_params: Callable[..., Path], tmp_path: Path) -> None:
    params = write_params({"profile": "killed", "sandbox": [], "notebooks": {"sleeps": {"api_url": "x"}}})
    script = (
        "import sys, time; from pathlib import Path; from workbook.params import load_plan; "
        "from workbook.runner import run; "
        f"plan = load_plan(Path({str(params)!r}), notebooks_dir=Path({str(FIXTURE_NOTEBOOKS)!r})); "
        "run(plan, outputs_dir=Path(sys.argv[1]), execute=lambda p, o, c: time.sleep(60))"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "out")], cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((tmp_path / "out").glob("*/manifest.json")):
        time.sleep(0.1)
    time.sleep(0.5)
    bundle_dir = next((tmp_path / "out").glob("*_killed"))
    assert load_bundle(bundle_dir).manifest.status == "running"
    assert effective_status(load_bundle(bundle_dir).manifest) == "running"
    process.kill()
    process.wait(10)
    assert load_bundle(bundle_dir).status == "aborted"
    other_host = load_bundle(bundle_dir).manifest.model_copy(update={"runner": {"pid": 1, "host": "elsewhere"}})
    assert effective_status(other_host) == "unsealed"


def test_archive_round_trip_and_history_from_s3(sealed_bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbook.sandbox import Sandbox

    big = sealed_bundle / "passes" / "big.bin"
    big.write_bytes(os.urandom(9 * 1024 * 1024))  # above the multipart threshold
    with Sandbox(["s3"]) as sandbox:
        s3 = sandbox.outputs["s3"]
        common = [
            "--endpoint-url",
            s3["endpoint"],
            "--region",
            s3["region"],
            "--access-key-env",
            "SANDBOX_S3_ACCESS_KEY",
            "--secret-key-env",
            "SANDBOX_S3_SECRET_KEY",
        ]
        url = f"s3://{s3['bucket']}/archive/nightly"
        assert main(["archive", str(sealed_bundle), url, *common]) == 0
        out = capsys.readouterr().out
        assert "0 mismatched" in out and "by the store's SHA-256" in out
        assert main(["history", "--from", url, "--json", *common]) == 0
        history = json.loads(capsys.readouterr().out)
        assert history["runs"] == [sealed_bundle.name] and history["profile"] == "verify"
    sandbox.cleanup()
