"""Scenario tests against the Discord + Midjourney emulator (part A's sandbox stand-in).

One emulator per module (time scale 1000: a job takes ~60 ms), reset between tests. Every
scenario checks each job's outcome against the emulator's own job table (`GET {admin}/jobs`):
the grid and upscale we stored for a nonce are the ones the bot made for that nonce.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from workbook.midjourney import plan_jobs
from workbook.midjourney._errors import DiscordAuthError
from workbook.midjourney._parse import snowflake_time
from workbook.midjourney._sync_client import SyncClient
from workbook.sandbox import Sandbox, set_faults

from ._profiles import dialect_for
from ._scenario import TIME_SCALE, TOKEN_ENV, admin, assert_matches_emulator, config, emitted, run


@pytest.mark.parametrize("watch", ["gateway", "poll"])
def test_six_identical_prompts_finishing_in_reverse_order(discord: dict[str, str], tmp_path: Path, watch: str) -> None:
    set_faults(discord["admin_url"], {"out_of_order": True})
    report = run(discord, tmp_path, ["a lighthouse in a storm"] * 6, [1, 2, 3, 4, 1, 2], concurrency=6, watch=watch)
    assert [j.status for j in report.jobs] == ["stored"] * 6, report.summary()["failed"]
    assert_matches_emulator(discord, report)
    grid_order = [e["job_hash"] for e in emitted(discord, "grid")]
    submitted_order = [j.job_hash for j in report.jobs]
    assert grid_order != submitted_order  # the bot really finished them out of order
    assert len({j.job_hash for j in report.jobs}) == 6


def test_identical_prompts_by_job_hash_when_finals_lack_interaction_metadata(
    discord: dict[str, str], tmp_path: Path
) -> None:
    # v5 finals are no replies: with no metadata either, only the hash previews showed is left.
    httpx.put(
        discord["admin_url"] + "/settings", json={"final_interaction_metadata": False, "era": "v5"}
    ).raise_for_status()
    set_faults(discord["admin_url"], {"out_of_order": True})
    report = run(discord, tmp_path, ["twin prompt"] * 4, [4], concurrency=4)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert {j.grid_match for j in report.jobs} == {"job_hash"}
    assert_matches_emulator(discord, report)


@pytest.mark.parametrize("watch", ["gateway", "poll"])
def test_older_upscale_of_same_prompt_already_in_channel(discord: dict[str, str], tmp_path: Path, watch: str) -> None:
    prompt = "a red fox in snow"
    # Each job, as it starts, finds an hour-old grid + "Image #1" of the same prompt in the channel,
    # and the old grid is edited (a gateway MESSAGE_UPDATE of an old message).
    set_faults(discord["admin_url"], {"stale_history": True})
    report = run(discord, tmp_path, [prompt] * 2, [1], watch=watch)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)
    history = httpx.get(
        f"{discord['api_url']}/channels/{discord['channel_id']}/messages",
        params={"limit": 100},
        headers={"Authorization": os.environ[TOKEN_ENV]},
    ).json()
    hour_ago = time.time() - 1800
    stale_ids = {m["id"] for m in history if snowflake_time(m["id"]).timestamp() < hour_ago}
    assert len(stale_ids) >= 2, "the emulator seeded no stale grid + upscale"
    assert not stale_ids & {m for j in report.jobs for m in j.message_ids()}
    if watch == "gateway":
        assert report.ignored_old_messages >= 1  # the edit of the old grid arrived and was refused


@pytest.mark.parametrize("watch", ["gateway", "poll"])
def test_prompts_with_urls_and_em_dashes(discord: dict[str, str], tmp_path: Path, watch: str) -> None:
    prompts = [
        "https://example.com/ref/cat.png a cat in the rain —ar 3:2",
        "https://example.com/ref/cat.png a cat in the rain —ar 3:2",
        "a   quiet harbour — at dawn",
    ]
    report = run(discord, tmp_path, prompts, [2], watch=watch)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)
    first = report.jobs[0]
    assert first.prompt_echoed is not None and "<https://s.mj.run/" in first.prompt_echoed
    assert "--ar 3:2" in first.prompt_echoed
    if watch == "poll":  # no nonces in REST history: the first replies were found by normalised prompt
        assert report.match_keys.get("start:prompt", 0) >= 3


def test_429_storm(discord: dict[str, str], tmp_path: Path) -> None:
    set_faults(discord["admin_url"], {"rate_limit_storm": {"count": 6, "retry_after": 2}})
    report = run(discord, tmp_path, ["storm one", "storm two"], [1])
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)
    stats = admin(discord, "/stats")
    assert report.rate_limited == stats["rate_limited_total"] == 6
    assert report.retries >= 6 and report.stop_reason is None


def test_429_flood_stops_at_the_invalid_request_budget(discord: dict[str, str], tmp_path: Path) -> None:
    set_faults(discord["admin_url"], {"rate_limit_storm": {"count": 500, "retry_after": 1}})
    report = run(discord, tmp_path, ["flooded"] * 3, [1], invalid_request_budget=5, max_rate_limit_retries=50)
    assert [j.failure_kind for j in report.jobs] == ["invalid_request_budget"] * 3
    assert "InvalidRequestBudgetError" in (report.stop_reason or "")
    assert admin(discord, "/stats")["rest_calls_total"] == 5  # stopped at the budget, not at Discord's 10,000


def test_5xx_burst(discord: dict[str, str], tmp_path: Path) -> None:
    set_faults(discord["admin_url"], {"server_error_burst": {"count": 3, "status": 502}})
    report = run(discord, tmp_path, ["burst one", "burst two"], [3])
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)
    assert report.status_counts.get(502) == 3 and report.retries >= 3


def test_gateway_dropped_mid_job(discord: dict[str, str], tmp_path: Path) -> None:
    # A slower bot clock (~1 s per job) so the resume happens while the jobs are still running.
    httpx.put(discord["admin_url"] + "/settings", json={"time_scale": 50}).raise_for_status()
    set_faults(discord["admin_url"], {"gateway_drop_mid_job": 1})
    report = run(discord, tmp_path, ["drop one", "drop two", "drop one"], [1])
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)
    assert report.gateway["drops"] >= 1 and report.gateway["resumes"] >= 1


def test_gateway_unavailable_falls_back_to_polling(tmp_path: Path) -> None:
    with Sandbox(["discord"], time_scale=TIME_SCALE, faults={"discord": {"gateway_down": True}}) as sandbox:
        out = dict(sandbox.outputs["discord"])
        report = run(out, tmp_path, ["no gateway"] * 2 + ["other"], [2], gateway_connect_timeout_s=0.5)
        assert all(j.ok for j in report.jobs), report.summary()["failed"]
        assert_matches_emulator(out, report)
    assert report.polls > 0 and report.gateway["resumes"] == 0
    assert any("polling" in state for _, state in report.watch_log)


@pytest.mark.parametrize("watch", ["gateway", "poll"])
def test_banned_prompt_fails_that_job_only(discord: dict[str, str], tmp_path: Path, watch: str) -> None:
    prompts = [
        "a calm lake",
        "mjtest:banned something",
        "a calm lake",
        "mjtest:moderated a calm lake",
        "a calm lake --use_raw 1",
    ]
    report = run(discord, tmp_path, prompts, [1], concurrency=5, watch=watch, deleted_grace_s=1.0)
    kinds = [j.failure_kind for j in report.jobs]
    # Polling may never see the short-lived "(Stopped)" edit, only that the progress message vanished.
    moderated = ("stopped",) if watch == "gateway" else ("stopped", "deleted")
    assert kinds[:3] == [None, "banned_prompt", None] and kinds[4] == "invalid_parameter", report.summary()["failed"]
    assert kinds[3] in moderated, report.summary()["failed"]
    assert "Banned prompt" in (report.jobs[1].failure or "")
    assert "use_raw" in (report.jobs[4].failure or "")
    assert_matches_emulator(discord, report)


def test_queue_full(discord: dict[str, str], tmp_path: Path) -> None:
    # Slower bot clock for this test only (reset restores it): all 15 submissions must land while the
    # first 3 jobs still run, even on a loaded machine.
    httpx.put(discord["admin_url"] + "/settings", json={"time_scale": 100}).raise_for_status()
    report = run(discord, tmp_path, [f"queue job {i}" for i in range(15)], [1], concurrency=15)
    failed = [j for j in report.jobs if not j.ok]
    assert [j.failure_kind for j in failed] == ["queue_full", "queue_full"], report.summary()["failed"]
    assert len(report.succeeded) == 13
    assert sum(1 for j in report.jobs if j.queued_message_id) >= 10  # "Job queued" was not terminal
    assert_matches_emulator(discord, report)


def test_stale_command_version(discord: dict[str, str], tmp_path: Path) -> None:
    with SyncClient(config(discord, tmp_path), dialect_for(discord)) as client:
        client.resolve_command()  # caches today's version
        set_faults(discord["admin_url"], {"stale_command_version": True})  # then Midjourney deploys
        report = client.run(plan_jobs(["v1", "v2", "v3"], [1]))
    assert {j.failure_kind for j in report.jobs} == {"stale_command_version"}
    assert "outdated" in (report.jobs[0].failure or "")
    assert admin(discord, "/stats")["rest_calls"].get("POST /interactions") == 1  # no retry loop


def test_bad_token(discord: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRONG_DISCORD_TOKEN", "bad." + os.environ[TOKEN_ENV][4:])
    with SyncClient(config(discord, tmp_path), dialect_for(discord, user_env="WRONG_DISCORD_TOKEN")) as client:
        with pytest.raises(DiscordAuthError, match="401"):
            client.validate_token()
        report = client.run(plan_jobs(["never sent"] * 2, [1]))
    assert {j.failure_kind for j in report.jobs} == {"bad_token"}
    assert admin(discord, "/stats")["rest_calls_total"] == 1  # one 401, then the token is never used again


def test_gateway_address_discovered_with_get_gateway(discord: dict[str, str], tmp_path: Path) -> None:
    report = run(discord, tmp_path, ["discovered"], [1], gateway_url="")
    assert report.jobs[0].ok and report.gateway["connects"] == 1 and report.polls == 0
    assert report.rest_calls.get("GET /gateway") == 1


def test_hardest_case_polling_no_nonces_no_final_metadata_reverse_order(
    discord: dict[str, str], tmp_path: Path
) -> None:
    """REST history has no nonces and these finals carry no interaction metadata: identical prompts
    finishing in reverse order can only be told apart by the job hash seen on a progress frame."""
    # Progress frames ~0.3 s apart (scale 20) so 0.1 s polls see them, as 2 s polls see Midjourney's 6 s steps.
    httpx.put(
        discord["admin_url"] + "/settings", json={"time_scale": 20, "final_interaction_metadata": False, "era": "v5"}
    ).raise_for_status()
    set_faults(discord["admin_url"], {"out_of_order": True})
    report = run(discord, tmp_path, ["twin poll"] * 3, [1, 2, 3], watch="poll", poll_interval_s=0.1)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert {j.grid_match for j in report.jobs} == {"job_hash"}
    assert_matches_emulator(discord, report)
