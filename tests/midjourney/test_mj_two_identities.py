"""The client in the two-identity setup real deployments use (dialect `bot-reader`): a bot reads
the channel and runs the Gateway session, the user token only sends interactions.

Every job is checked against the emulator's own job table, as in the one-identity scenarios, in
the hardest correlation cases (identical prompts finishing in reverse, older results of the same
prompt in the channel, action grids of the same prompt). The bot's session gets no INTERACTION_*
events: ownership rests on the nonce, the reply chain and the hashes (an interaction id only from
the job's own message). Ephemeral messages never reach a bot: a captcha'd job times out instead of
failing fast. A bot whose app may not use the MESSAGE_CONTENT intent stops the run at once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbook.midjourney import open_dialect, plan_jobs
from workbook.midjourney._sync_client import SyncClient
from workbook.sandbox import Sandbox, set_faults
from workbook.sandbox.discord import EXTRA_BOTS_ENV

from ._profiles import profile
from ._scenario import TIME_SCALE, admin, assert_matches_emulator, config, emitted, run

NO_CONTENT = {
    "token": "MTIwMDAwMDAwMDAwMDAwMDAwMg.abcdef.no-content-bot-token-for-tests-only",
    "user_id": "1200000000000000002",
    "message_content": False,
}


@pytest.mark.parametrize("watch", ["gateway", "poll"])
def test_identical_prompts_in_reverse_order_with_a_bot_reader(
    discord: dict[str, str], tmp_path: Path, watch: str
) -> None:
    set_faults(discord["admin_url"], {"out_of_order": True})
    report = run(
        discord,
        tmp_path,
        ["a lighthouse in a storm"] * 4,
        [1, 2, 3, 4],
        concurrency=4,
        watch=watch,
        two_identities=True,
    )
    assert [j.status for j in report.jobs] == ["stored"] * 4, report.summary()["failed"]
    assert_matches_emulator(discord, report)
    assert [e["job_hash"] for e in emitted(discord, "grid")] != [j.job_hash for j in report.jobs]
    # The watching session was the bot's: no INTERACTION_SUCCESS ever reached it, so each job's
    # interaction id comes from its own nonce-bearing message's metadata.
    assert not [j.interaction_source for j in report.jobs if "INTERACTION" in (j.interaction_source or "")]
    # Who called what: the bot read (its /users/@me; polling: the channel), the user interacted.
    reader_calls = {route for route in report.rest_calls if route.startswith("reader ")}
    assert "reader GET /users/@me" in reader_calls
    assert not {route for route in reader_calls if "interactions" in route}
    assert report.rest_calls.get("POST /interactions") == 8
    if watch == "poll":
        assert any("/messages" in route for route in reader_calls)
        assert not any("/messages" in route for route in report.rest_calls if not route.startswith("reader "))


def test_older_results_and_action_grids_of_the_same_prompt_with_a_bot_reader(
    discord: dict[str, str], tmp_path: Path
) -> None:
    set_faults(discord["admin_url"], {"stale_history": True, "action_grids": True})
    report = run(discord, tmp_path, ["a red fox in snow"] * 2, [1, 3], two_identities=True)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)


def test_ephemeral_notices_never_reach_a_bot_reader(discord: dict[str, str], tmp_path: Path) -> None:
    report = run(discord, tmp_path, ["mjtest:captcha a boat", "a boat"], [1], two_identities=True, job_timeout_s=3.0)
    captcha, boat = report.jobs
    assert boat.ok and captcha.failure_kind == "timeout", report.summary()["failed"]
    truth = {j["prompt"]: j["status"] for j in admin(discord, "/jobs")["jobs"]}
    assert truth["mjtest:captcha a boat"] == "error:captcha"  # the bot did answer: only to the user


def test_a_bot_without_the_message_content_intent_stops_the_run_with_discords_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discord closes a bot's IDENTIFY that asks for a privileged intent its app has not enabled
    (4014); the run stops at once naming that, instead of polling a channel it cannot read."""
    monkeypatch.setenv("MJ_NO_CONTENT_BOT_TOKEN", str(NO_CONTENT["token"]))
    monkeypatch.setenv(EXTRA_BOTS_ENV, json.dumps([NO_CONTENT]))
    with Sandbox(["discord"], time_scale=TIME_SCALE) as sandbox:
        out = dict(sandbox.outputs["discord"])
        user = profile(out["api_url"], out["gateway_url"])
        bot = profile(out["api_url"], out["gateway_url"], secret_env="MJ_NO_CONTENT_BOT_TOKEN", bot=True)
        with SyncClient(config(out, tmp_path), open_dialect("", user, bot)) as client:
            report = client.run(plan_jobs(["a heron"], [1]))
        stats = admin(out, "/stats")
    assert report.stop_kind == "gateway_refused" and "4014" in (report.stop_reason or ""), report.stop_reason
    assert "Disallowed intent" in (report.stop_reason or "")
    assert [j.failure_kind for j in report.jobs] == ["gateway_refused"]
    assert stats["gateway"].get("intents_refused") == 1 and "POST /interactions" not in stats["rest_calls"]
