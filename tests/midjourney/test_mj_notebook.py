"""The notebook end to end through papermill against the emulator: passes when all is well, and its
checks fail (without the notebook crashing) when the token is bad."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import papermill
import pytest

from wb_testing import REPO
from workbook.sandbox import Sandbox

pytestmark = pytest.mark.notebook
NOTEBOOK = REPO / "notebooks" / "20_midjourney.ipynb"


def execute(tmp_path: Path, name: str, parameters: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    evidence = tmp_path / name
    monkeypatch.setenv("WORKBOOK_EVIDENCE_DIR", str(evidence))
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / f"{name}.ipynb"),
        parameters=parameters,
        kernel_name="workbook",
        progress_bar=False,
        cwd=str(REPO),
    )
    results = json.loads((evidence / "results.json").read_text())
    return {check["id"]: check["status"] for check in results["checks"]}


def test_notebook_passes_and_fails_for_the_right_reasons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(["discord"], time_scale=1000) as sandbox:
        out = sandbox.outputs["discord"]
        base = {
            "interactive": False,
            "mode": "sandbox",
            "api_url": out["api_url"],
            "gateway_url": out["gateway_url"],
            "guild_id": out["guild_id"],
            "channel_id": out["channel_id"],
            "poll_interval_s": 0.1,
            "job_timeout_s": 30.0,
            "upscale_timeout_s": 15.0,
        }
        good = execute(tmp_path, "good", {**base, "discord_token_env": "SANDBOX_DISCORD_TOKEN"}, monkeypatch)
        monkeypatch.setenv("MJ_WRONG_TOKEN", "wrong-" + os.environ["SANDBOX_DISCORD_TOKEN"][6:])
        bad = execute(tmp_path, "bad", {**base, "discord_token_env": "MJ_WRONG_TOKEN"}, monkeypatch)
    assert set(good.values()) == {"pass"}, good
    assert len(good) == 8
    assert bad["token"] in ("fail", "error")
    for check in ("command", "jobs_completed", "own_results", "images", "rest_budget"):
        assert bad[check] in ("fail", "error"), (check, bad)
    leaked = [p.name for p in tmp_path.rglob("*") if p.is_file() and b"wrong-" in p.read_bytes()]
    assert leaked == []
