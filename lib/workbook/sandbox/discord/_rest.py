"""Discord REST under `/api/v9` and `/api/v10` (interactions in `_interactions`, the CDN in `_cdn`).

A middleware wraps every API call in what Discord does around a route: fault injection
(`rate_limit_storm`, `server_error_burst`), authentication (the user token raw, a bot's token as
`Bot <token>`; anything else 401 `{"message": "401: Unauthorized", "code": 0}`), which identity may
use the route (`_accounts.refusal`), per-route and global rate limits per token, `X-RateLimit-*`
headers on every response, Discord-shaped JSON errors, and counters by route template.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from aiohttp import web

from . import _cdn, _messages
from ._accounts import refusal, rest_caller
from ._config import IMAGINE_COMMAND_ID
from ._emulator import EMULATOR_KEY, Emulator
from ._http import CALLER_KEY, DiscordError, caller_of, check_channel, current_imagine_version, json_response
from ._intents import rest_view
from ._interactions import post_interaction
from ._messages import api_error, form_error
from ._ratelimit import Decision
from ._store import HistoryQueryError

Json = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_PREFIXES = ("/api/v9", "/api/v10")
# Routes that need no Authorization at all.
OPEN_ROUTES = frozenset({"GET /gateway"})


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


# -- middleware ----------------------------------------------------------------------------------


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/"):
        return await handler(request)
    emulator = request.app[EMULATOR_KEY]
    route = route_template(request)
    major = request.match_info.get("channel_id") or request.match_info.get("guild_id") or ""
    decision: Decision | None = None
    key = ""  # whose buckets: the caller's token (per IP for routes without auth)
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
        if route not in OPEN_ROUTES:
            caller = rest_caller(emulator.config, request.headers.get("Authorization"))
            if caller is None:
                raise DiscordError(401, api_error(0, "401: Unauthorized"))
            request[CALLER_KEY] = caller
            refused = refusal(caller, route, "channel_id" in request.match_info)
            if refused is not None:
                raise DiscordError(*refused)
            key = caller.key
        else:
            key = request.remote or ""
        decision = emulator.limiter.check(route, major, key)
        if not decision.allowed:
            raise DiscordError(429, decision.body())
        response = await handler(request)
    except DiscordError as error:
        response = json_response(error.body, error.status)
    except web.HTTPException as error:
        # Unrouted paths and wrong methods, in Discord's JSON shape.
        response = json_response(api_error(0, f"{error.status}: {error.reason}"), error.status)
    except Exception:
        # An emulator bug: visible in the log, still a well-formed Discord 500 for the client.
        traceback.print_exc(file=sys.stderr)
        response = json_response(api_error(0, "500: Internal Server Error"), 500)
    if decision is None:
        decision = emulator.limiter.peek(route, major, key)
    response.headers.update(decision.headers())
    emulator.obs.record_rest(route, response.status, shared_scope=decision.scope == "shared")
    return response


# -- handlers ------------------------------------------------------------------------------------


async def get_me(request: web.Request) -> web.Response:
    """The caller's own user: the account, or the bot's user."""
    caller = caller_of(request)
    if caller.bot is not None:
        return json_response(_messages.bot_account_user(caller.bot))
    return json_response(_messages.me_object(request.app[EMULATOR_KEY].config))


async def get_country_code(request: web.Request) -> web.Response:
    # trueai validates tokens with this endpoint instead of /users/@me (reference notes §7).
    return json_response({"country_code": "US"})


async def get_gateway(request: web.Request) -> web.Response:
    return json_response({"url": request.app[EMULATOR_KEY].config.gateway_url})


async def get_gateway_bot(request: web.Request) -> web.Response:
    """What bot libraries (discord.py, discord.js) ask before connecting."""
    limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
    return json_response(
        {"url": request.app[EMULATOR_KEY].config.gateway_url, "shards": 1, "session_start_limit": limit}
    )


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
    return json_response(_command_index(emulator))


async def channel_command_index(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    check_channel(emulator, request.match_info["channel_id"])
    return json_response(_command_index(emulator))


async def get_channel(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    check_channel(emulator, request.match_info["channel_id"])
    latest = emulator.store.history(limit=1)
    return json_response(
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
    check_channel(emulator, request.match_info["channel_id"])
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
    caller = caller_of(request)
    return json_response([rest_view(caller, _stored(message)) for message in messages])


def _stored(message: Json) -> Json:
    # Discord does not store nonces: only the gateway's MESSAGE_CREATE carries one (discord.py #2451),
    # so REST must not, or a poller would correlate by a key it never gets live.
    return {key: value for key, value in message.items() if key != "nonce"}


async def get_message(request: web.Request) -> web.Response:
    """One message by id: bots only (the middleware answers a user token 403 20002, as Discord
    does; user clients use `?around=`). Ephemeral messages are nobody's history."""
    emulator = request.app[EMULATOR_KEY]
    check_channel(emulator, request.match_info["channel_id"])
    message = emulator.store.get(request.match_info["message_id"])
    if message is None or int(message.get("flags") or 0) & _messages.EPHEMERAL:
        raise DiscordError(404, api_error(10008, "Unknown Message"))
    return json_response(rest_view(caller_of(request), _stored(message)))


def add_routes(app: web.Application) -> None:
    for prefix in API_PREFIXES:
        app.router.add_get(prefix + "/users/@me", get_me)
        app.router.add_get(prefix + "/users/@me/billing/country-code", get_country_code)
        app.router.add_get(prefix + "/gateway", get_gateway)
        app.router.add_get(prefix + "/gateway/bot", get_gateway_bot)
        app.router.add_get(prefix + "/guilds/{guild_id}/application-command-index", guild_command_index)
        app.router.add_get(prefix + "/channels/{channel_id}/application-command-index", channel_command_index)
        app.router.add_get(prefix + "/channels/{channel_id}", get_channel)
        app.router.add_get(prefix + "/channels/{channel_id}/messages", get_messages)
        app.router.add_get(prefix + "/channels/{channel_id}/messages/{message_id}", get_message)
        app.router.add_post(prefix + "/interactions", post_interaction)
    _cdn.add_routes(app, app[EMULATOR_KEY].config)
