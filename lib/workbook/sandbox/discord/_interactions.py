"""`POST /interactions` (JSON or multipart `payload_json`): the user-side slash command (type 2,
`/imagine`) and button presses (type 3), validated as Discord does before it answers 204 and hands
the interaction to the bot (reference notes §1.4, §2, §10)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ._config import IMAGINE_COMMAND_ID
from ._emulator import EMULATOR_KEY, Emulator
from ._http import DiscordError, check_channel, current_imagine_version
from ._messages import api_error, form_error

Json = dict[str, Any]


async def _interaction_body(request: web.Request) -> Json:
    content_type = request.content_type
    try:
        if content_type == "application/json":
            body = await request.json()
        elif content_type == "multipart/form-data":
            form = await request.post()
            raw = form.get("payload_json")
            if not isinstance(raw, str):
                raise DiscordError(400, form_error(["payload_json"], "BASE_TYPE_REQUIRED", "This field is required"))
            body = json.loads(raw)
        else:
            raise DiscordError(400, api_error(50109, "The request body contains invalid JSON."))
    except ValueError:
        raise DiscordError(400, api_error(50109, "The request body contains invalid JSON.")) from None
    if not isinstance(body, dict):
        raise DiscordError(400, api_error(50109, "The request body contains invalid JSON."))
    return body


def _require(body: Json, key: str, kind: type | tuple[type, ...], path: list[str] | None = None) -> Any:
    value = body.get(key)
    if value is None:
        raise DiscordError(400, form_error([*(path or []), key], "BASE_TYPE_REQUIRED", "This field is required"))
    if not isinstance(value, kind):
        raise DiscordError(400, form_error([*(path or []), key], "BASE_TYPE_INVALID", "Invalid value type"))
    return value


async def post_interaction(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    config = emulator.config
    body = await _interaction_body(request)
    interaction_type = _require(body, "type", int)
    if interaction_type not in (2, 3):
        # 5 (modal submit) exists on Discord, but the emulated bot opens no modals.
        raise DiscordError(400, form_error(["type"], "BASE_TYPE_CHOICES", "Value must be one of {2, 3}."))
    if str(_require(body, "application_id", (str, int))) != config.application_id:
        raise DiscordError(404, api_error(10002, "Unknown Application"))
    check_channel(emulator, str(_require(body, "channel_id", (str, int))))
    guild_id = body.get("guild_id")
    if guild_id is not None and str(guild_id) != config.guild_id:
        raise DiscordError(404, api_error(10004, "Unknown Guild"))
    session_id = str(_require(body, "session_id", str))
    nonce = body.get("nonce")
    if nonce is not None:
        if not isinstance(nonce, (str, int)) or len(str(nonce)) > 25:
            raise DiscordError(
                400,
                form_error(
                    ["nonce"],
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be an integer or a string of at most 25 characters.",
                ),
            )
        nonce = str(nonce)
    data = _require(body, "data", dict)
    interaction_id = str(emulator.ids.next())
    if interaction_type == 2:
        prompt = _application_command(emulator, data)
        emulator.bot.imagine(prompt, interaction_id, nonce, session_id)
    else:
        message = emulator.store.get(str(_require(body, "message_id", (str, int))))
        if message is None or message["author"]["id"] != config.application_id:
            raise DiscordError(404, api_error(10008, "Unknown Message"))
        custom_id = str(_require(data, "custom_id", str, ["data"]))
        if data.get("component_type", 2) != 2 or not emulator.bot.find_button(message, custom_id):
            raise DiscordError(
                400,
                form_error(["data", "custom_id"], "COMPONENT_VALIDATION_FAILED", "Component validation failed"),
            )
        emulator.bot.component(message, custom_id, interaction_id, nonce, session_id)
    return web.Response(status=204)


def _application_command(emulator: Emulator, data: Json) -> str:
    if str(data.get("id")) != IMAGINE_COMMAND_ID:
        raise DiscordError(404, api_error(10063, "Unknown application command"))
    if str(data.get("version")) != current_imagine_version(emulator):
        emulator.obs.faults_fired["stale_version_rejected"] += 1
        raise DiscordError(
            400,
            form_error(
                ["data"],
                "INTERACTION_APPLICATION_COMMAND_INVALID_VERSION",
                "This command is outdated, please try again in a few minutes",
            ),
        )
    options = data.get("options")
    prompt = None
    if isinstance(options, list):
        prompt = next(
            (
                o.get("value")
                for o in options
                if isinstance(o, dict) and o.get("name") == "prompt" and o.get("type") == 3
            ),
            None,
        )
    if not isinstance(prompt, str) or not prompt.strip():
        raise DiscordError(
            400,
            form_error(
                ["data", "options"],
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options are missing: prompt",
            ),
        )
    if len(prompt) > 6000:
        raise DiscordError(
            400,
            form_error(["data", "options", "0", "value"], "BASE_TYPE_MAX_LENGTH", "Must be 6000 or fewer in length."),
        )
    return prompt
