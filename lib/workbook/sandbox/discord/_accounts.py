"""Who is calling: the user account and the bot accounts, how each authenticates, and which REST
routes each may use.

Discord tells the two kinds of token apart only by the `Authorization` scheme: a user token is sent
raw, a bot token as `Bot <token>` (required on REST since 2016, discord-api-docs #119). A user
token sent as `Bot <token>`, or a bot token sent raw, is simply an unknown token: 401
`{"message": "401: Unauthorized", "code": 0}`. The Gateway's IDENTIFY takes a bot's token with or
without the `Bot ` prefix (the same thread: "we'll take both"), a user token only raw; anything
else closes with 4004. Real deployments read with a bot and interact with the user token
(reference notes §5.1, ss_automation's client): the user-only routes answer a bot with 403
`20001 Bots cannot use this endpoint`, the bot-only ones answer a user with 403 `20002 Only bots
can use this endpoint` (fetching one message by id, as UrielCh's client reports for user tokens).
A bot outside the guild gets 403 `50001 Missing Access` on the channel's routes.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from ._config import BotAccount, EmulatorConfig

USER = "user"
BOT = "bot"

# Route templates (method + path after /api/vN).
USER_ONLY = frozenset(
    {
        "POST /interactions",
        "GET /guilds/{guild_id}/application-command-index",
        "GET /channels/{channel_id}/application-command-index",
        "GET /users/@me/billing/country-code",
    }
)
BOT_ONLY = frozenset({"GET /channels/{channel_id}/messages/{message_id}", "GET /gateway/bot"})

Json = dict[str, Any]


@dataclass(frozen=True)
class Caller:
    """An authenticated identity: the user, or one of the bots."""

    kind: str  # USER | BOT
    bot: BotAccount | None = None

    @property
    def key(self) -> str:
        """Rate limits are per token: a bot and the user never share a bucket."""
        return f"bot:{self.bot.user_id}" if self.bot is not None else USER

    @property
    def is_bot(self) -> bool:
        return self.kind == BOT


USER_CALLER = Caller(USER)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def rest_caller(config: EmulatorConfig, header: str | None) -> Caller | None:
    """The caller an `Authorization` header names, or None (a 401)."""
    if not header:
        return None
    if _same(header, config.token):
        return USER_CALLER
    if header.startswith("Bot "):
        token = header[len("Bot ") :]
        for bot in config.bots:
            if _same(token, bot.token):
                return Caller(BOT, bot)
    return None


def gateway_caller(config: EmulatorConfig, token: str) -> Caller | None:
    """The caller an IDENTIFY/RESUME token names, or None (close 4004)."""
    if _same(token, config.token):
        return USER_CALLER
    raw = token.removeprefix("Bot ")
    for bot in config.bots:
        if _same(raw, bot.token):
            return Caller(BOT, bot)
    return None


def refusal(caller: Caller, route: str, channel_route: bool) -> tuple[int, Json] | None:
    """Discord's answer when `caller` may not use `route`, else None."""
    if caller.is_bot and route in USER_ONLY:
        return 403, {"message": "Bots cannot use this endpoint", "code": 20001}
    if not caller.is_bot and route in BOT_ONLY:
        return 403, {"message": "Only bots can use this endpoint", "code": 20002}
    if channel_route and caller.bot is not None and not caller.bot.in_guild:
        return 403, {"message": "Missing Access", "code": 50001}
    return None
