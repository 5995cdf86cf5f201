"""What the REST route modules share: Discord's JSON error, a JSON response, the caller of a
request (set by the middleware), and the one channel/guild check."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ._accounts import USER_CALLER, Caller
from ._config import IMAGINE_VERSION, ROTATED_IMAGINE_VERSION
from ._emulator import Emulator
from ._messages import api_error

Json = dict[str, Any]
CALLER_KEY = "discord_caller"


class DiscordError(Exception):
    def __init__(self, status: int, body: Json) -> None:
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body), status=status, content_type="application/json")


def caller_of(request: web.Request) -> Caller:
    caller = request.get(CALLER_KEY)
    return caller if isinstance(caller, Caller) else USER_CALLER


def check_channel(emulator: Emulator, channel_id: str) -> None:
    if channel_id != emulator.config.channel_id:
        raise DiscordError(404, api_error(10003, "Unknown Channel"))


def current_imagine_version(emulator: Emulator) -> str:
    return ROTATED_IMAGINE_VERSION if emulator.faults.on("stale_command_version") else IMAGINE_VERSION
