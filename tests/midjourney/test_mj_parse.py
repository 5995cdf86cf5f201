from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
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
    normalize_prompt,
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
    assert classify_notice({"embeds": [{"title": "Your info", "color": 0}]}) is None
    found = classify_notice({"embeds": [{"title": "Something new", "color": 15548997}]})
    assert found is not None and found.notice is Notice.FAILED
    assert classify_notice(load("final_grid.json")) is None


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("a red  apple", "a red apple --v 6.1"),
        ("a cat —ar 3:2", "a cat --ar 3:2"),
        ("https://example.com/ref.png a cat", "<https://s.mj.run/JWu6jaL1D-8> a cat --v 6.1 --style raw"),
        ("Sunset over Paris", "sunset over paris"),
    ],
)
def test_normalize_prompt_matches_midjourney_rewrites(sent: str, echoed: str) -> None:
    assert normalize_prompt(sent) == normalize_prompt(echoed)


def test_normalize_prompt_keeps_distinct_prompts_distinct() -> None:
    assert normalize_prompt("a red apple") != normalize_prompt("a green apple")
