"""The notebook end to end through papermill against the emulator, in both identity setups (the
user token for everything; a reader bot for the channel and the Gateway beside the user token for
interactions): it passes when all is well, and a refused credential ends its checks as could not
check (`error/auth`), never `fail`, without the notebook crashing or the token leaking."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from wb_testing import run_notebook
from workbook.sandbox import Sandbox

pytestmark = pytest.mark.notebook

USER = {"kind": "header", "name": "Authorization", "secret_env": "SANDBOX_DISCORD_TOKEN"}
BOT = {"kind": "header", "name": "Authorization", "prefix": "Bot ", "secret_env": "SANDBOX_DISCORD_BOT_TOKEN"}


def execute(tmp_path: Path, name: str, parameters: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return run_notebook("20_midjourney", parameters, tmp_path / name)


def services(out: dict[str, str], user: dict[str, str] = USER, bot: dict[str, str] = BOT) -> dict[str, Any]:
    """The params file's `services:` profiles for the emulator, as the runner passes them."""
    where = {"url": out["api_url"], "ws_url": out["gateway_url"]}
    return {"discord": {**where, "auth": user}, "discord_bot": {**where, "auth": bot}}


def test_notebook_passes_with_one_identity_and_with_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(["discord"], time_scale=1000) as sandbox:
        out = sandbox.outputs["discord"]
        base = {
            "interactive": False,
            "mode": "sandbox",
            "services": services(out),
            "guild_id": out["guild_id"],
            "channel_id": out["channel_id"],
            "poll_interval_s": 0.1,
            "job_timeout_s": 30.0,
            "upscale_timeout_s": 15.0,
        }
        one = execute(tmp_path, "one", base)
        two = execute(tmp_path, "two", {**base, "discord_bot_service": "discord_bot"})
        # A user token sent with the bot's scheme: Discord answers 401, the checks cannot check.
        misprefixed = {**BOT, "secret_env": "SANDBOX_DISCORD_TOKEN"}
        wrong = execute(
            tmp_path,
            "misprefixed",
            {**base, "services": services(out, bot=misprefixed), "discord_bot_service": "discord_bot"},
        )
        monkeypatch.setenv("MJ_WRONG_TOKEN", "wrong-" + os.environ["SANDBOX_DISCORD_TOKEN"][6:])
        bad = execute(
            tmp_path, "bad", {**base, "services": services(out, user={**USER, "secret_env": "MJ_WRONG_TOKEN"})}
        )
    for setup, checks in (("one identity", one), ("two identities", two)):
        assert {c["status"] for c in checks.values()} == {"pass"}, (setup, checks)
        assert len(checks) == 8
    assert one["token"]["measured"]["dialect"] == "user-token" and "reader_is_bot" not in one["token"]["measured"]
    assert two["token"]["measured"]["dialect"] == "bot-reader" and two["token"]["measured"]["reader_is_bot"] is True
    for checks in (wrong, bad):
        assert checks["token"]["status"] == "error" and checks["token"]["reason"] == "auth", checks["token"]
        assert "401" in checks["token"]["detail"]
        for check in ("jobs_completed", "own_results", "unique_messages", "newer_than_submission", "images"):
            assert (checks[check]["status"], checks[check]["reason"]) == ("error", "auth"), (check, checks[check])
    # Names the profile, the variable and the scheme it was sent with, never the value.
    assert "'discord_bot'" in wrong["token"]["detail"] and "$SANDBOX_DISCORD_TOKEN" in wrong["token"]["detail"]
    assert 'sent as "Bot <token>"' in wrong["token"]["detail"]
    assert wrong["command"]["status"] == "pass"  # the user's own token is fine: only the reader was refused
    assert (bad["command"]["status"], bad["command"]["reason"]) == ("error", "auth")
    leaked = [p.name for p in tmp_path.rglob("*") if p.is_file() and b"wrong-" in p.read_bytes()]
    assert leaked == []
