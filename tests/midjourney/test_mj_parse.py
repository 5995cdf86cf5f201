from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from workbook.midjourney._parse import (
    Notice,
    button_custom_id,
    classify_notice,
    echoed_prompt,
    hash_from_url,
    interaction_id_of,
    is_grid,
    job_hash,
    message_action,
    parse_progress,
    reference_id_of,
    snowflake_at,
    snowflake_time,
    upscale_index_in,
)

H1 = "a7cb1552-f779-4094-9afe-2acf22dae280"


def test_snowflake_round_trip_and_known_value() -> None:
    # The real capture's waiting message was created 2023-03-10T16:29:14.383Z.
    assert snowflake_time("1083788668470304788") == datetime(2023, 3, 10, 16, 29, 14, 383000, tzinfo=UTC)
    moment = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert snowflake_time(snowflake_at(moment)) == moment


def test_echoed_prompt_and_progress_from_real_contents(load: Callable[[str], Any]) -> None:
    assert echoed_prompt(load("waiting_to_start.json")["content"]) == "glass"
    waiting = parse_progress(load("waiting_to_start.json")["content"])
    assert waiting.waiting and waiting.percent is None
    progress = parse_progress(load("progress_31.json")["content"])
    assert (progress.percent, progress.mode, progress.waiting) == (31, "fast", False)
    assert parse_progress("**cat** - <@1> (paused) (relaxed)").paused
    assert parse_progress("**cat** - <@1> (fast, stealth)").mode == "fast"
    assert parse_progress("**cat** - <@1> (Stopped)").stopped
    # A prompt that itself contains "(50%)" must not be read as progress.
    assert parse_progress("**a (50%) sale** - <@1> (Waiting to start)").percent is None
    assert echoed_prompt("**girl --v 7.0** - <@123> (85%) (fast)\n-# Create, explore") == "girl --v 7.0"


def test_job_hash_from_buttons_progress_image_and_signed_urls(load: Callable[[str], Any]) -> None:
    assert job_hash(load("progress_31.json")) == H1
    assert job_hash(load("final_grid.json")) == H1
    signed = f"https://cdn.discordapp.com/attachments/1/2/user_cat_{H1}.png?ex=65f1&is=65de&hm=ab12&"
    assert hash_from_url(signed) == H1
    assert hash_from_url("https://cdn.discordapp.com/attachments/1/2/grid_0.webp") is None


def test_grid_buttons_and_keys(load: Callable[[str], Any]) -> None:
    grid = load("final_grid.json")
    assert is_grid(grid)
    assert not is_grid(load("progress_31.json"))
    assert button_custom_id(grid, "upsample", 3) == f"MJ::JOB::upsample::3::{H1}"
    assert button_custom_id(grid, "variation", 1) == f"MJ::JOB::variation::1::{H1}"
    assert button_custom_id(grid, "reroll", 0) == f"MJ::JOB::reroll::0::{H1}::SOLO"
    assert interaction_id_of(grid) == "1083788667513999500"
    upscale = load("upscale_image2.json")
    assert reference_id_of(upscale) == grid["id"]
    assert upscale_index_in(upscale["content"]) == 2
    assert upscale_index_in("**Image #3 of a cat** - <@1> (fast)") is None


@pytest.mark.parametrize(
    ("name", "notice", "terminal"),
    [
        ("embed_job_queued.json", Notice.JOB_QUEUED, False),
        ("embed_queue_full.json", Notice.QUEUE_FULL, True),
        ("embed_banned_prompt.json", Notice.BANNED_PROMPT, True),
        ("embed_invalid_parameter.json", Notice.INVALID_PARAMETER, True),
    ],
)
def test_notice_classified_by_title(name: str, notice: Notice, terminal: bool, load: Callable[[str], Any]) -> None:
    classified = classify_notice(load(name))
    assert classified is not None
    assert classified.notice is notice
    assert classified.terminal is terminal
    assert classified.title in classified.reason


def test_unknown_embed_is_not_an_error_but_error_colour_is(load: Callable[[str], Any]) -> None:
    unknown = classify_notice({"embeds": [{"title": "Your info", "color": 0}]})
    assert unknown is not None and not unknown.terminal
    found = classify_notice({"embeds": [{"title": "Something new", "color": 15548997}]})
    assert found is not None and found.notice is Notice.FAILED
    assert classify_notice(load("final_grid.json")) is None


CAPTURES = Path(__file__).parent / "fixtures" / "captures"
CONTENTS = json.loads((CAPTURES / "contents.json").read_text())


def capture(name: str) -> dict[str, Any]:
    return dict(json.loads((CAPTURES / name).read_text()))


@pytest.mark.parametrize("case", CONTENTS, ids=lambda case: case["content"][:50])
def test_real_contents_give_prompt_action_mode_and_progress(case: dict[str, Any]) -> None:
    content = case["content"]
    assert echoed_prompt(content) == case["prompt"]
    assert message_action(content) == case["action"]
    progress = parse_progress(content)
    assert progress.mode == case["mode"]
    assert progress.percent == case.get("percent")
    assert progress.paused is case.get("paused", False)
    assert upscale_index_in(content) == case.get("image")
    if "link_hash" in case:
        assert job_hash({"content": content}) == case["link_hash"]


def test_v7_finals_are_replies_with_webp_grids_and_action_phrases() -> None:
    variation = capture("v7_variation_strong_final.json")
    assert is_grid(variation) and message_action(variation["content"]) == "variation"
    assert variation["attachments"][0]["content_type"] == "image/webp"
    assert reference_id_of(variation) == "1511317210822611026"
    assert job_hash(variation) == "9a5aa072-26f3-4902-a2e2-f76f2db12270"
    assert message_action(capture("v7_zoom_out_final.json")["content"]) == "zoom"
    assert message_action(capture("v7_pan_right_final.json")["content"]) == "pan"
    upscaled = capture("v7_upscaled_creative_final.json")
    assert message_action(upscaled["content"]) == "upscaled" and upscale_index_in(upscaled["content"]) is None
    image = capture("v7_upscale_image1.json")
    assert upscale_index_in(image["content"]) == 1 and reference_id_of(image) == "1511317204245680259"


def test_slow_down_carries_its_retry_time_and_is_not_terminal() -> None:
    found = classify_notice(capture("slow_down_reply.json"))
    assert found is not None and found.notice is Notice.SLOW_DOWN
    assert found.retry_at == 1774990054 and not found.terminal


def test_decline_and_content_errors_are_terminal_with_their_reason() -> None:
    decline = classify_notice(capture("decline_reply.json"))
    assert decline is not None and decline.notice is Notice.DECLINED and decline.terminal
    assert "decline-revise-frolic" in decline.reason
    invalid = classify_notice(capture("invalid_parameter_content_reply.json"))
    assert invalid is not None and invalid.notice is Notice.INVALID_PARAMETER and "use_raw" in invalid.reason
    filtered = classify_notice({"embeds": [{"title": "Request cancelled due to output filters"}]})
    assert filtered is not None and filtered.notice is Notice.OUTPUT_FILTERED and filtered.terminal


def test_an_unknown_embed_title_is_recorded_as_unknown_not_ignored() -> None:
    found = classify_notice({"embeds": [{"title": "Your info", "color": 0, "description": "**Job Mode**: Fast"}]})
    assert found is not None and found.notice is Notice.UNKNOWN and not found.terminal
    assert "Your info" in found.reason


def test_the_upscaling_acknowledgement_is_neither_a_notice_nor_a_result() -> None:
    content = "Upscaling image #2 with **cat --v 7.0** - <@1> (Waiting to start)"
    assert classify_notice({"content": content, "embeds": []}) is None
    assert upscale_index_in(content) is None and message_action(content) == "upscale_ack"
