"""Request bodies for `POST /interactions`: `/imagine` (type 2) and grid buttons (type 3).

Shapes follow the captured browser requests (reference notes §1.2-1.3 and §2.1). A button's
`custom_id` is always read from the message that carries it, never synthesised.
"""

from __future__ import annotations

import re
from typing import Any

from ._errors import DiscordConfigError
from ._parse import button_custom_id
from ._rest import Command

_BUTTON = re.compile(r"^(?:(U|V)([1-4])|(R|REROLL|🔄))$", re.IGNORECASE)
_ACTIONS = {"U": "upsample", "V": "variation"}


def parse_button(label: str) -> tuple[str, int]:
    """`"U2"` -> ("upsample", 2), `"V4"` -> ("variation", 4), `"R"` / `"reroll"` -> ("reroll", 0)."""
    match = _BUTTON.match(label.strip())
    if not match:
        raise DiscordConfigError(f"button must be U1-U4, V1-V4 or R (reroll), got {label!r}")
    if match.group(3):
        return "reroll", 0
    return _ACTIONS[match.group(1).upper()], int(match.group(2))


def imagine_payload(
    *,
    application_id: str,
    guild_id: str,
    channel_id: str,
    session_id: str,
    nonce: str,
    command: Command,
    prompt: str,
) -> dict[str, Any]:
    return {
        "type": 2,
        "application_id": application_id,
        "guild_id": guild_id,
        "channel_id": channel_id,
        "session_id": session_id,
        "nonce": nonce,
        "data": {
            "version": command.version,
            "id": command.id,
            "name": command.name,
            "type": 1,
            "options": [{"type": 3, "name": "prompt", "value": prompt}],
            "application_command": dict(command.raw),
            "attachments": [],
        },
        "analytics_location": "slash_ui",
    }


def button_payload(
    *,
    application_id: str,
    guild_id: str,
    channel_id: str,
    session_id: str,
    nonce: str,
    message: dict[str, Any],
    button: str,
) -> dict[str, Any]:
    """Press `button` ("U1".."U4", "V1".."V4", "R") on `message`; its flags are replayed as
    `message_flags` (64 for an ephemeral message) as the web client does."""
    action, index = parse_button(button)
    custom_id = button_custom_id(message, action, index)
    if custom_id is None:
        raise DiscordConfigError(f"message {message.get('id')} has no {button} button")
    return {
        "type": 3,
        "application_id": application_id,
        "guild_id": guild_id,
        "channel_id": channel_id,
        "message_id": str(message["id"]),
        "message_flags": int(message.get("flags") or 0),
        "session_id": session_id,
        "nonce": nonce,
        "data": {"component_type": 2, "custom_id": custom_id},
    }
