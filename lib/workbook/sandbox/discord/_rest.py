"""Discord REST under `/api/v9` and `/api/v10`, plus the attachment CDN.

A middleware wraps every API call in what Discord does around a route: fault injection
(`rate_limit_storm`, `server_error_burst`), the raw user-token check (401 `{"message": "401:
Unauthorized", "code": 0}`), per-route and global rate limits, `X-RateLimit-*` headers on every
response, Discord-shaped JSON errors, and counters by route template.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from aiohttp import web

from . import _messages
from ._config import IMAGINE_COMMAND_ID, IMAGINE_VERSION, ROTATED_IMAGINE_VERSION
from ._emulator import EMULATOR_KEY, Emulator
from ._messages import api_error, form_error
from ._ratelimit import Decision
from ._store import HistoryQueryError

Json = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_PREFIXES = ("/api/v9", "/api/v10")


class DiscordError(Exception):
    def __init__(self, status: int, body: Json) -> None:
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body), status=status, content_type="application/json")


def route_template(request: web.Request) -> str:
    """`GET /channels/{channel_id}/messages` for any API version; `<unknown>` when unrouted."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else ""
    for prefix in API_PREFIXES:
        if canonical.startswith(prefix + "/"):
            return f"{request.method} {canonical[len(prefix) :]}"
    return f"{request.method} <unknown>"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Server Error"


def current_imagine_version(emulator: Emulator) -> str:
    return ROTATED_IMAGINE_VERSION if emulator.faults.on("stale_command_version") else IMAGINE_VERSION


# -- middleware ----------------------------------------------------------------------------------


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/"):
        return await handler(request)
    emulator = request.app[EMULATOR_KEY]
    route = route_template(request)
    major = request.match_info.get("channel_id") or request.match_info.get("guild_id") or ""
    decision: Decision | None = None
    try:
        if emulator.faults.on("rate_limit_storm"):
            storm = emulator.faults.value("rate_limit_storm")
            options = storm if isinstance(storm, dict) else {}
            emulator.consume_fault("rate_limit_storm")
            retry = float(options.get("retry_after", 1.0)) / emulator.settings.time_scale
            decision = emulator.limiter.forced(route, retry, is_global=bool(options.get("global", False)))
            raise DiscordError(429, decision.body())
        if emulator.faults.on("server_error_burst"):
            burst = emulator.faults.value("server_error_burst")
            status = int(burst.get("status", 500)) if isinstance(burst, dict) else 500
            emulator.consume_fault("server_error_burst")
            raise DiscordError(status, api_error(0, f"{status}: {_phrase(status)}"))
        if route != "GET /gateway" and request.headers.get("Authorization") != emulator.config.token:
            raise DiscordError(401, api_error(0, "401: Unauthorized"))
        decision = emulator.limiter.check(route, major)
        if not decision.allowed:
            raise DiscordError(429, decision.body())
        response = await handler(request)
    except DiscordError as error:
        response = _json(error.body, error.status)
    except web.HTTPException as error:
        # Unrouted paths and wrong methods, in Discord's JSON shape.
        response = _json(api_error(0, f"{error.status}: {error.reason}"), error.status)
    except Exception:
        # An emulator bug: visible in the log, still a well-formed Discord 500 for the client.
        traceback.print_exc(file=sys.stderr)
        response = _json(api_error(0, "500: Internal Server Error"), 500)
    if decision is None:
        decision = emulator.limiter.peek(route, major)
    response.headers.update(decision.headers())
    emulator.obs.record_rest(route, response.status, shared_scope=decision.scope == "shared")
    return response


# -- handlers ------------------------------------------------------------------------------------


async def get_me(request: web.Request) -> web.Response:
    return _json(_messages.me_object(request.app[EMULATOR_KEY].config))


async def get_country_code(request: web.Request) -> web.Response:
    # trueai validates tokens with this endpoint instead of /users/@me (reference notes §7).
    return _json({"country_code": "US"})


async def get_gateway(request: web.Request) -> web.Response:
    return _json({"url": request.app[EMULATOR_KEY].config.gateway_url})


def _command_index(emulator: Emulator) -> Json:
    config = emulator.config
    bot = _messages.bot_user()
    return {
        "applications": [
            {
                "id": config.application_id,
                "name": bot["username"],
                "description": "Generate an image based on a text prompt in under 60 seconds using the"
                f" </imagine:{IMAGINE_COMMAND_ID}> command!",
                "icon": bot["avatar"],
                "bot": bot,
                "bot_id": bot["id"],
                "flags": "94371840",
            }
        ],
        "application_commands": [
            {
                "id": IMAGINE_COMMAND_ID,
                "type": 1,
                "application_id": config.application_id,
                "version": current_imagine_version(emulator),
                "name": "imagine",
                "description": "Create images with Midjourney",
                "options": [{"type": 3, "name": "prompt", "description": "The prompt to imagine", "required": True}],
                "dm_permission": True,
                "contexts": [0, 1, 2],
                "integration_types": [0, 1],
                "global_popularity_rank": 1,
            }
        ],
        "version": current_imagine_version(emulator),
    }


async def guild_command_index(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    if request.match_info["guild_id"] != emulator.config.guild_id:
        raise DiscordError(404, api_error(10004, "Unknown Guild"))
    return _json(_command_index(emulator))


def _check_channel(emulator: Emulator, channel_id: str) -> None:
    if channel_id != emulator.config.channel_id:
        raise DiscordError(404, api_error(10003, "Unknown Channel"))


async def channel_command_index(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    _check_channel(emulator, request.match_info["channel_id"])
    return _json(_command_index(emulator))


async def get_channel(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    _check_channel(emulator, request.match_info["channel_id"])
    latest = emulator.store.history(limit=1)
    return _json(
        {
            "id": emulator.config.channel_id,
            "type": 0,
            "guild_id": emulator.config.guild_id,
            "name": "midjourney",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "rate_limit_per_user": 0,
            "topic": None,
            "last_message_id": latest[0]["id"] if latest else None,
            "parent_id": None,
            "flags": 0,
        }
    )


async def get_messages(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    _check_channel(emulator, request.match_info["channel_id"])
    query = request.query
    try:
        limit = int(query.get("limit", "50"))
    except ValueError:
        raise DiscordError(
            400, form_error(["limit"], "NUMBER_TYPE_COERCE", f'Value "{query.get("limit")}" is not int.')
        ) from None
    try:
        messages = emulator.store.history(limit, query.get("before"), query.get("after"), query.get("around"))
    except HistoryQueryError as error:
        raise DiscordError(400, form_error([error.field], error.code, str(error))) from None
    # Discord does not store nonces: only the gateway's MESSAGE_CREATE carries one (discord.py #2451),
    # so history must not, or a poller would correlate by a key it never gets live.
    return _json([{key: value for key, value in message.items() if key != "nonce"} for message in messages])


async def get_message(request: web.Request) -> web.Response:
    # User tokens cannot fetch one message by id (reference notes §5.2, UrielCh): use `around`.
    raise DiscordError(403, api_error(20002, "Only bots can use this endpoint"))


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
    _check_channel(emulator, str(_require(body, "channel_id", (str, int))))
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


# -- CDN -----------------------------------------------------------------------------------------


async def get_attachment(request: web.Request) -> web.Response:
    """Serve an attachment the way cdn.discordapp.com does: signed URL, no Authorization needed."""
    emulator = request.app[EMULATOR_KEY]
    att_id = request.match_info["attachment_id"]
    recipe = emulator.bot.core.emit.attachments.get(att_id)
    ex, issued, signature = (request.query.get(k, "") for k in ("ex", "is", "hm"))
    valid = (
        recipe is not None
        and request.match_info["channel_id"] == emulator.config.channel_id
        and request.match_info["filename"] == recipe.filename
        and signature == emulator.bot.core.emit.sign(att_id, ex, issued)
    )
    # CDN downloads are not Discord API calls: counted apart so REST-per-job figures stay honest.
    emulator.obs.cdn["served" if valid else "not_found"] += 1
    if recipe is None or not valid:
        return web.Response(status=404, text="This content is no longer available.")
    data = await emulator.render(recipe.kind, recipe.job_hash, recipe.index, recipe.width, recipe.height)
    return web.Response(
        body=data, content_type=recipe.content_type, headers={"Cache-Control": "public, max-age=31536000"}
    )


def add_routes(app: web.Application) -> None:
    for prefix in API_PREFIXES:
        app.router.add_get(prefix + "/users/@me", get_me)
        app.router.add_get(prefix + "/users/@me/billing/country-code", get_country_code)
        app.router.add_get(prefix + "/gateway", get_gateway)
        app.router.add_get(prefix + "/guilds/{guild_id}/application-command-index", guild_command_index)
        app.router.add_get(prefix + "/channels/{channel_id}/application-command-index", channel_command_index)
        app.router.add_get(prefix + "/channels/{channel_id}", get_channel)
        app.router.add_get(prefix + "/channels/{channel_id}/messages", get_messages)
        app.router.add_get(prefix + "/channels/{channel_id}/messages/{message_id}", get_message)
        app.router.add_post(prefix + "/interactions", post_interaction)
    for host in ("attachments", "media"):
        app.router.add_get("/" + host + "/{channel_id}/{attachment_id}/{filename}", get_attachment)
