"""Spending guard, job planning, storage with a canary token, and the REST poller's diffing."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from workbook import read_secret
from workbook.midjourney import DiscordConfigError, RunConfig, SpendRefusedError, plan_jobs
from workbook.midjourney._config import guard_spend
from workbook.midjourney._jobstate import JobState, Phase
from workbook.midjourney._poller import ChannelPoller
from workbook.midjourney._rest import DiscordRest
from workbook.midjourney._storage import job_metadata, save_image, write_metadata

from ._profiles import profile

LIVE = "https://discord.com/api/v10"
SANDBOX = "http://127.0.0.1:5000/api/v10"


def guard(**overrides: Any) -> list[str]:
    said: list[str] = []
    values: dict[str, Any] = {
        "mode": "live",
        "jobs": plan_jobs(["a", "b"], [1]),
        "max_jobs": 2,
        "allow_spend": True,
        "api_url": LIVE,
        "channel_id": "1",
        "env": {"RUN_FULL_API_TEST": "true"},
        "say": said.append,
    }
    values.update(overrides)
    guard_spend(**values)
    return said


def test_live_guard_allows_only_with_both_switches_and_says_the_cost_first() -> None:
    said = guard()
    assert "2 /imagine job(s) and 2 upscale(s)" in said[0] and "GPU-minutes" in said[0]
    with pytest.raises(SpendRefusedError, match="allow_spend"):
        guard(allow_spend=False)
    with pytest.raises(SpendRefusedError, match="RUN_FULL_API_TEST=true"):
        guard(env={"RUN_FULL_API_TEST": "yes"})
    with pytest.raises(SpendRefusedError, match="max_jobs is 1"):
        guard(max_jobs=1)
    said = []
    with pytest.raises(SpendRefusedError):
        guard(allow_spend=False, say=said.append)
    assert said, "the plan is printed before the refusal"


def test_sandbox_mode_needs_no_switch_but_must_not_reach_real_discord() -> None:
    guard(mode="sandbox", api_url=SANDBOX, allow_spend=False, env={})
    with pytest.raises(SpendRefusedError, match="real Discord"):
        guard(mode="sandbox", api_url=LIVE, env={})
    with pytest.raises(SpendRefusedError, match="max_jobs"):
        guard(mode="sandbox", api_url=SANDBOX, max_jobs=0)
    with pytest.raises(DiscordConfigError, match="'prod'"):
        guard(mode="prod")


def test_plan_and_config_reject_bad_values_by_name(tmp_path: Path) -> None:
    assert [j.upscale_index for j in plan_jobs(["a", "b", "c"], [2])] == [2, 2, 2]
    with pytest.raises(DiscordConfigError, match=r"\(U1-U4\), got 5"):
        plan_jobs(["a"], [5])
    with pytest.raises(DiscordConfigError, match="one per prompt"):
        plan_jobs(["a", "b", "c"], [1, 2])
    with pytest.raises(DiscordConfigError, match="non-empty"):
        plan_jobs([], [1])
    with pytest.raises(DiscordConfigError, match=r"channel_id must be a Discord snowflake.*'general'"):
        RunConfig(guild_id="1", channel_id="general", evidence_dir=tmp_path)
    with pytest.raises(DiscordConfigError, match="watch must be one of"):
        RunConfig(
            guild_id="1",
            channel_id="2",
            evidence_dir=tmp_path,
            watch="websocket",
        )


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_stored_metadata_never_contains_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, load: Callable[[str], Any]
) -> None:
    canary = "CANARY-mj-token-0123456789"
    monkeypatch.setenv("MJ_CANARY_TOKEN", canary)
    token = read_secret("MJ_CANARY_TOKEN")
    assert token == canary
    job = JobState("job01", f"a prompt that leaks {canary}", 2)
    job.phase = Phase.STORED
    job.grid = load("final_grid.json")
    job.upscale = load("upscale_image2.json")
    grid = save_image(png(64, 64), tmp_path, "job01_grid", job.grid["attachments"][0])
    upscale = save_image(png(32, 32), tmp_path, "job01_upscale_U2", job.upscale["attachments"][0])
    path = write_metadata(tmp_path, job, job_metadata(job, grid, upscale), {canary})
    text = path.read_text()
    assert canary not in text and "REDACTED" in text
    meta = json.loads(text)
    assert meta["upscale_reply_reference"] == job.grid["id"]
    assert meta["grid"]["width"] == 64 and meta["grid"]["declared_width"] == 2048
    assert len(meta["grid"]["sha256"]) == 64 and grid.path.suffix == ".png"


def test_undecodable_image_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        save_image(png(8, 8)[:40], tmp_path, "broken", {})


def test_poller_turns_listings_into_create_update_delete(fake_sleep: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MJ_POLL_TEST_TOKEN", "token-abcdef")
    listings = [
        [{"id": "102", "content": "b (0%)"}, {"id": "101", "content": "a", "nonce": "n"}],
        [{"id": "102", "content": "b (50%)", "edited_timestamp": "t"}, {"id": "101", "content": "a"}],
        [{"id": "103", "content": "c"}, {"id": "101", "content": "a"}],
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["after"] == "100"
        return httpx.Response(200, json=listings.pop(0))

    async def go() -> list[list[tuple[str, str]]]:
        rest = DiscordRest(
            profile(SANDBOX, secret_env="MJ_POLL_TEST_TOKEN"), transport=httpx.MockTransport(handler), sleep=fake_sleep
        )
        poller = ChannelPoller(rest, "9", after=lambda: 100)
        rounds = []
        for _ in range(3):
            events = await poller.poll()
            assert all("nonce" not in data for _, data in events)  # REST history never has nonces
            rounds.append([(name, data["id"]) for name, data in events])
        await rest.aclose()
        return rounds

    assert asyncio.run(go()) == [
        [("MESSAGE_CREATE", "101"), ("MESSAGE_CREATE", "102")],
        [("MESSAGE_UPDATE", "102")],
        [("MESSAGE_CREATE", "103"), ("MESSAGE_DELETE", "102")],
    ]
