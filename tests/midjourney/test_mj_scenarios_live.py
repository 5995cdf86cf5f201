"""Issue 13's behaviours end to end against the emulator in the live v7 shapes, over the gateway and
over polling, with identical prompts finishing in reverse order (`out_of_order`): rewritten
prompts, finals that reply to the waiting message, action grids of the same prompt, "Slow Down!",
unknown notices, mid-job errors, and the older eras' shapes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from workbook.sandbox import set_faults

from ._scenario import admin, assert_matches_emulator, emitted, run

BIRD = (
    "a small bird pixel-art sprite, single centered character, clean transparent background --ar 1:1 --v 7 "
    "--style raw --no background scenery, drop shadow, frame"
)
FOX = "a fox --sref https://example.com/a.png https://example.com/b.png"
BOTH = pytest.mark.parametrize("watch", ["gateway", "poll"])


def settings(out: dict[str, str], **values: object) -> None:
    httpx.put(out["admin_url"] + "/settings", json=values, timeout=5).raise_for_status()


@BOTH
def test_rewritten_prompts_are_matched_in_reverse_order(discord: dict[str, str], tmp_path: Path, watch: str) -> None:
    set_faults(discord["admin_url"], {"out_of_order": True})
    report = run(discord, tmp_path, [BIRD, BIRD, FOX, FOX], [1, 2, 3, 4], concurrency=4, watch=watch)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)
    echoes = [j.prompt_echoed or "" for j in report.jobs]
    assert all("--v 7.0" in e for e in echoes) and echoes[0].endswith("--raw") and "--style" not in echoes[0]
    assert "--sref <https://s.mj.run/" in echoes[2]
    if watch == "poll":  # no nonce in history: the first replies were found by their canonical parameters
        assert {j.start_match for j in report.jobs} == {"prompt"}
    assert [e["job_hash"] for e in emitted(discord, "grid")] != [j.job_hash for j in report.jobs]


@BOTH
def test_finals_found_by_their_reply_when_nothing_else_tells_twins_apart(
    discord: dict[str, str], tmp_path: Path, watch: str
) -> None:
    # No hash on any progress message, no interaction metadata on the finals, and the waiting
    # message is deleted only after its final: the reply chain is the only key left.
    settings(discord, final_interaction_metadata=False, progress_hash=False, progress_delete="after")
    set_faults(discord["admin_url"], {"out_of_order": True})
    report = run(discord, tmp_path, ["twin lighthouses"] * 3, [1, 2, 3], concurrency=3, watch=watch)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert {j.grid_match for j in report.jobs} == {"reference"}
    assert all(j.preview_hash is None and j.grid_reference == j.progress_message_id for j in report.jobs)
    assert_matches_emulator(discord, report)


@BOTH
def test_action_grids_of_the_same_prompt_are_never_taken(discord: dict[str, str], tmp_path: Path, watch: str) -> None:
    set_faults(discord["admin_url"], {"out_of_order": True, "action_grids": True})
    settings(discord, final_interaction_metadata=False)
    report = run(discord, tmp_path, ["a red fox"] * 2, [1, 2], watch=watch)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)
    actions = {e["message_id"] for e in emitted(discord, "action_grid")}
    assert len(actions) == 10 and not actions & {m for j in report.jobs for m in j.message_ids()}


@BOTH
def test_slow_down_is_waited_out_and_pressed_again(discord: dict[str, str], tmp_path: Path, watch: str) -> None:
    set_faults(discord["admin_url"], {"out_of_order": True})
    report = run(discord, tmp_path, ["mjtest:slow_down a fox"] * 2, [1, 3], watch=watch)
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert [j.upscale_presses for j in report.jobs] == [2, 2]
    assert_matches_emulator(discord, report, upscale_presses=2)


@BOTH
def test_unknown_notice_is_recorded_and_mid_job_errors_fail_their_job(
    discord: dict[str, str], tmp_path: Path, watch: str
) -> None:
    if watch == "poll":
        # A decline replies to the waiting message only: a poller must have seen that message, so the
        # bot clock runs slower than the 50 ms polls (as Midjourney's ~8 s waits against 2 s polls).
        settings(discord, time_scale=100)
    prompts = ["mjtest:unknown_notice a boat", "mjtest:decline a boat", "mjtest:output_filter a boat", "a boat"]
    report = run(discord, tmp_path, prompts, [1], concurrency=4, watch=watch)
    kinds = [j.failure_kind for j in report.jobs]
    assert kinds == [None, "declined", "output_filtered", None], report.summary()["failed"]
    assert report.jobs[0].notices and "Midjourney V8 Alpha" in report.jobs[0].notices[0]
    assert any("Midjourney V8 Alpha" in n for n in report.unknown_notices)
    assert "decline-" in (report.jobs[1].failure or "")
    assert_matches_emulator(discord, report)


def test_captcha_fails_the_job_on_the_gateway(discord: dict[str, str], tmp_path: Path) -> None:
    report = run(discord, tmp_path, ["mjtest:captcha a boat", "a boat"], [1])
    assert [j.failure_kind for j in report.jobs] == ["action_needed", None], report.summary()["failed"]


@pytest.mark.parametrize("era", ["v6", "v5", "v4"])
def test_older_eras_shapes(discord: dict[str, str], tmp_path: Path, era: str) -> None:
    settings(discord, era=era, suffix="--v 6.1")
    set_faults(discord["admin_url"], {"out_of_order": True})
    report = run(discord, tmp_path, ["an old castle"] * 2, [2])
    assert all(j.ok for j in report.jobs), report.summary()["failed"]
    assert_matches_emulator(discord, report)
    if era == "v4":  # "Upscaled by" results do not say which image they are
        assert {j.upscale_index_echoed for j in report.jobs} == {None}
    assert all(j.grid is not None and j.grid.format == "png" for j in report.jobs)
    assert admin(discord, "/settings")["era"] == era
