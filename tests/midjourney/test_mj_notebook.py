"""The notebook end to end through papermill against the emulator: passes when all is well, and its
checks fail (without the notebook crashing) when the token is bad."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from wb_testing import run_notebook
from workbook.sandbox import Sandbox

pytestmark = pytest.mark.notebook


def execute(tmp_path: Path, name: str, parameters: dict[str, Any]) -> dict[str, str]:
    checks = run_notebook("20_midjourney", parameters, tmp_path / name)
    return {check_id: check["status"] for check_id, check in checks.items()}


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
        good = execute(tmp_path, "good", {**base, "discord_token_env": "SANDBOX_DISCORD_TOKEN"})
        monkeypatch.setenv("MJ_WRONG_TOKEN", "wrong-" + os.environ["SANDBOX_DISCORD_TOKEN"][6:])
        bad = execute(tmp_path, "bad", {**base, "discord_token_env": "MJ_WRONG_TOKEN"})
    assert set(good.values()) == {"pass"}, good
    assert len(good) == 8
    assert bad["token"] in ("fail", "error")
    for check in ("command", "jobs_completed", "own_results", "images", "rest_budget"):
        assert bad[check] in ("fail", "error"), (check, bad)
    leaked = [p.name for p in tmp_path.rglob("*") if p.is_file() and b"wrong-" in p.read_bytes()]
    assert leaked == []
