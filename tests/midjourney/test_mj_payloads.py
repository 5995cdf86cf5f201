"""Interaction bodies match the captured browser requests (reference notes §1.2 template, §2.1 capture)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from workbook.midjourney import DiscordConfigError
from workbook.midjourney._payloads import button_payload, imagine_payload, parse_button
from workbook.midjourney._rest import Command

H1 = "a7cb1552-f779-4094-9afe-2acf22dae280"
IDS = {
    "application_id": "936929561302675456",
    "guild_id": "1",
    "channel_id": "1069126859100524575",
    "session_id": "7687ebdc6846e1f686f02b14c4f150d1",
    "nonce": "1083840138678632448",
}


def test_imagine_payload_has_the_template_shape(load: Callable[[str], Any]) -> None:
    template = load("request_imagine_template.json")
    index = load("command_index.json")["application_commands"][1]
    command = Command(
        id=index["id"], version=index["version"], name="imagine", application_id=IDS["application_id"], raw=index
    )
    body = imagine_payload(command=command, prompt="a red apple", **IDS)
    assert set(template) <= set(body)
    assert set(template["data"]) <= set(body["data"])
    assert body["data"]["options"] == [{"type": 3, "name": "prompt", "value": "a red apple"}]
    assert (body["type"], body["data"]["type"], body["data"]["id"], body["data"]["version"]) == (
        2,
        1,
        template["data"]["id"],
        template["data"]["version"],
    )
    assert body["data"]["application_command"]["name"] == "imagine"


@pytest.mark.parametrize(
    ("button", "custom_id"),
    [
        ("U4", f"MJ::JOB::upsample::4::{H1}"),
        ("v2", f"MJ::JOB::variation::2::{H1}"),
        ("R", f"MJ::JOB::reroll::0::{H1}::SOLO"),
    ],
)
def test_button_payload_matches_the_browser_capture(load: Callable[[str], Any], button: str, custom_id: str) -> None:
    capture = load("request_button_capture.json")
    grid = load("final_grid.json")
    body = button_payload(message=grid, button=button, **IDS)
    assert set(body) == set(capture)
    assert set(body["data"]) == set(capture["data"])
    assert body["data"] == {"component_type": 2, "custom_id": custom_id}
    assert (body["type"], body["message_id"], body["message_flags"]) == (3, grid["id"], 0)


def test_ephemeral_message_flags_are_replayed_and_missing_buttons_refused(load: Callable[[str], Any]) -> None:
    grid = load("final_grid.json")
    grid["flags"] = 64
    assert button_payload(message=grid, button="U1", **IDS)["message_flags"] == 64
    with pytest.raises(DiscordConfigError, match="has no U1 button"):
        button_payload(message=load("upscale_image2.json"), button="U1", **IDS)
    with pytest.raises(DiscordConfigError, match="got 'U5'"):
        parse_button("U5")
    assert parse_button("reroll") == ("reroll", 0)
