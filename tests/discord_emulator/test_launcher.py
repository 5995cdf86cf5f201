"""The emulator through the sandbox launcher: outputs, secret, startup faults, clean stop."""

from __future__ import annotations

import os

import httpx
import psutil

from workbook.sandbox import Sandbox


def test_launcher_starts_the_emulator_with_startup_faults_and_stops_it() -> None:
    with Sandbox(
        ["discord"],
        time_scale=1000,
        faults={"discord": {"stale_command_version": True, "stale_history": ["boot prompt"]}},
    ) as sandbox:
        outputs = sandbox.outputs["discord"]
        token = os.environ["SANDBOX_DISCORD_TOKEN"]
        assert outputs["api_url"].endswith("/api/v9") and outputs["api_url"].startswith("http://127.0.0.1:")
        assert set(outputs) >= {"api_url", "gateway_url", "admin_url", "guild_id", "channel_id", "application_id"}
        assert httpx.get(outputs["admin_url"] + "/health").json()["status"] == "ok"
        assert httpx.get(outputs["api_url"] + "/gateway").json()["url"] == outputs["gateway_url"]
        faults = httpx.get(outputs["admin_url"] + "/_sandbox/faults").json()["faults"]
        assert faults == {"stale_command_version": True, "stale_history": ["boot prompt"]}
        history = httpx.get(
            f"{outputs['api_url']}/channels/{outputs['channel_id']}/messages", headers={"Authorization": token}
        ).json()
        assert [m["content"].split(" - ")[0] for m in history] == ["**boot prompt --v 7.0**"] * 2
        index = httpx.get(
            f"{outputs['api_url']}/guilds/{outputs['guild_id']}/application-command-index",
            headers={"Authorization": token},
        ).json()
        assert index["application_commands"][0]["version"] != outputs["imagine_version"]
        assert httpx.get(outputs["admin_url"] + "/settings").json()["time_scale"] == 1000
        pids = sandbox.all_pids()
        assert pids
    assert "SANDBOX_DISCORD_TOKEN" not in os.environ or os.environ["SANDBOX_DISCORD_TOKEN"] != token
    assert not [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
