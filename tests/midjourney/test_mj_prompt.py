"""Prompts are matched by a canonical parameter set, because Midjourney rewrites what it echoes:
`--v 7` comes back as `--v 7.0`, `--style raw` as a trailing `--raw`, URLs as s.mj.run links
(moved, or as several values of one parameter), and the account's settings add parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbook.midjourney._prompt import canonical_prompt, prompt_match

CAPTURES = Path(__file__).parent / "fixtures" / "captures"
BIRD_SENT = (
    "a small bird pixel-art sprite, single centered character, clean transparent background --ar 1:1 --v 7 "
    "--style raw --no background scenery, drop shadow, frame, cscidnocollide781b1185"
)


def echoed(name: str) -> str:
    content = json.loads((CAPTURES / name).read_text())["content"]
    return content.split("**")[1]


def matches(sent: str, echo: str) -> int | None:
    return prompt_match(canonical_prompt(sent), canonical_prompt(echo))


def test_the_live_v7_rewrite_of_version_style_raw_and_a_multi_word_no_matches() -> None:
    # The capture's SOLO upscale echoes the parent prompt as Midjourney rewrote it.
    echo = echoed("v7_upscale_image1.json")
    assert "--v 7.0" in echo and echo.endswith("--raw") and "--style" not in echo
    assert matches(BIRD_SENT, echo) == 4  # ar, v, raw and no all echoed


@pytest.mark.parametrize(
    ("sent", "echo"),
    [
        (
            "a fox --sref https://example.com/a.png https://example.com/b.png",
            "a fox --sref <https://s.mj.run/aaaaaaaaaaa> <https://s.mj.run/bbbbbbbbbbb>",
        ),
        ("a fox --sref https://example.com/a.png", "a fox --sref https://s.mj.run/aaaaaaaaaaa --v 7.0"),
        ("https://example.com/ref.png a cat —ar 3:2", "<https://s.mj.run/JWu6jaL1D-8> a cat --ar 3:2 --v 6.1"),
        ("a red  apple", "A red apple --v 6.1 --style raw"),
        ("Sunset over Paris", "sunset over paris"),
        ("blink once --video --motion low --bs 1", "blink once --motion low --bs 1 --video 1"),
        ("a cat --s 100", "a cat --v 7.0"),  # a default-valued parameter may be dropped
        ("a cat --fast", "a cat --v 7.0"),  # the mode flag shows as "(fast)" instead
        # Mutiny-SDK: the account's style references are injected into the echo.
        (
            "pink twintails tsundere girl --no evil, villain --ar 3:4 --seed 2227065045 --niji 7",
            "pink twintails tsundere girl --no villain, evil --ar 3:4 --seed 2227065045 --niji 7 "
            "--sref <https://s.mj.run/jzApQeBLQLk> <https://s.mj.run/i36gARL0e94>",
        ),
        # Mutiny-SDK: an image chunk moved behind the parameters.
        (
            "pink girl --no evil <https://s.mj.run/a> <https://s.mj.run/b> --ar 3:4 --seed 7",
            "pink girl --no evil --ar 3:4 --seed 7 <https://s.mj.run/a> <https://s.mj.run/b>",
        ),
    ],
)
def test_rewritten_echoes_match_their_sent_prompt(sent: str, echo: str) -> None:
    assert matches(sent, echo) is not None


@pytest.mark.parametrize(
    ("sent", "echo"),
    [
        ("a cat --ar 3:2", "a cat --ar 2:3 --v 7.0"),  # a different value
        ("a cat --v 6", "a cat --v 7.0"),
        ("a cat --no dogs, birds", "a cat --no dogs --v 7.0"),  # a different --no list
        ("a red apple", "a green apple --v 7.0"),
        ("a cat --ar 3:2", "a cat --v 7.0"),  # a parameter Midjourney would not drop
        ("https://example.com/ref.png a cat", "a cat --v 7.0"),  # the image prompt is missing
        ("a cat --sref https://example.com/a.png https://example.com/b.png", "a cat --sref <https://s.mj.run/a>"),
    ],
)
def test_different_prompts_do_not_match(sent: str, echo: str) -> None:
    assert matches(sent, echo) is None


def test_the_job_whose_own_parameters_were_echoed_scores_highest() -> None:
    echo = "a calm lake --use_raw 1"
    assert matches("a calm lake", echo) == 0
    assert matches("a calm lake --use_raw 1", echo) == 1


def test_identical_sent_prompts_share_one_key_and_different_ones_do_not() -> None:
    assert canonical_prompt("a  cat —ar 3:2 --v 7").key == canonical_prompt("A cat --ar 3:2 --v 7.0").key
    assert canonical_prompt("a cat --ar 3:2").key != canonical_prompt("a cat --ar 2:3").key
