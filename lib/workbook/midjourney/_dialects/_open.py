"""The registry of dialects and the one way to open one."""

from __future__ import annotations

from typing import Any

from ...connect import ServiceProfile, pick_dialect
from .._dialect import DiscordDialect, DiscordOptions
from .._errors import DiscordConfigError
from .bot_reader import BotReader
from .user_token import UserToken

DIALECTS: dict[str, type[DiscordDialect]] = {UserToken.name: UserToken, BotReader.name: BotReader}


def open_dialect(
    name: str, user: ServiceProfile, bot: ServiceProfile | None, options: dict[str, Any] | None = None
) -> DiscordDialect:
    """The dialect `name` ("" = bot-reader when a bot profile is given, else user-token)."""
    chosen = name or (BotReader.name if bot is not None else UserToken.name)
    kind = pick_dialect(DIALECTS, chosen, param="dialect")
    parsed = DiscordOptions.parse(options or {})
    if kind is BotReader:
        if bot is None:
            raise DiscordConfigError(
                "dialect 'bot-reader' reads with a bot: set discord_bot_service to the bot's service profile"
            )
        return BotReader(user, bot, parsed)
    return kind(user, user, parsed)
