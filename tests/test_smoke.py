"""Smoke run: every notebook of params/ci.yaml through the real CLI against the real sandbox.

Canary values sit in the environment variables live secrets would use; none may reach the bundle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wb_testing import REPO

pytestmark = [pytest.mark.notebook, pytest.mark.timeout(1800)]

CANARIES = {
    "DISCORD_TOKEN": "canary-discord-token-9c8b7a6d5e",
    "AWS_ACCESS_KEY_ID": "CANARYAKIA1234567890",
    "AWS_SECRET_ACCESS_KEY": "canary-aws-secret-key-1f2e3d4c5b",
}


def test_every_notebook_passes_on_the_ci_profile(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    env = {**os.environ, **CANARIES}
    result = subprocess.run(
        [sys.executable, "-m", "workbook", "run", "--params", "params/ci.yaml", "--outputs", str(outputs)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    bundle = (outputs / "latest").resolve()
    manifest = json.loads((bundle / "manifest.json").read_text())
    summary = {entry["name"]: (entry["status"], entry["reason"]) for entry in manifest["notebooks"]}
    assert result.returncode == 0, f"{summary}\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    notebooks = sorted(path.stem for path in (REPO / "notebooks").glob("*.ipynb"))
    assert sorted(summary) == notebooks, "params/ci.yaml must run every notebook"
    for name in notebooks:
        for suffix in (f"{name}.ipynb", f"{name}.html", "results.json"):
            assert (bundle / name / suffix).exists(), f"{name}/{suffix}"
    leaked = [
        str(path.relative_to(bundle))
        for path in bundle.rglob("*")
        if path.is_file() and any(value.encode() in path.read_bytes() for value in CANARIES.values())
    ]
    assert leaked == []
    assert not any(value in result.stdout + result.stderr for value in CANARIES.values())


def test_interactive_mode_never_blocks_headless(tmp_path: Path) -> None:
    """With interactive=True (forms, live widgets) every notebook still runs to the end unattended
    and records the same checks: nothing waits on a widget, no check lives in a callback."""
    from wb_testing import run_notebook
    from workbook.params import load_plan
    from workbook.sandbox import Sandbox

    plan = load_plan(REPO / "params" / "ci.yaml", notebooks_dir=REPO / "notebooks")
    with Sandbox(plan.sandbox, time_scale=plan.time_scale) as sandbox:
        for notebook in plan.resolved(sandbox.outputs).notebooks:
            checks = run_notebook(notebook.name, {**notebook.parameters, "interactive": True}, tmp_path / notebook.name)
            failed = {check_id: check["detail"] for check_id, check in checks.items() if check["status"] != "pass"}
            assert checks and not failed, f"{notebook.name}: {failed}"
    sandbox.cleanup()
