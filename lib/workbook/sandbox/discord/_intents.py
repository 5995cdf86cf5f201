"""Gateway intents, and what each session (and each REST reader) is allowed to see.

A bot's IDENTIFY must carry `intents` (required since gateway v8); undocumented bits close the
connection with 4013 (Invalid intent(s)), a privileged intent its application has not enabled
with 4014 (Disallowed intent(s)) (discord-api-docs "Gateway Close Event Codes"). A bot session
receives MESSAGE_CREATE/UPDATE/DELETE of guild channels only with GUILD_MESSAGES; without the
MESSAGE_CONTENT intent (or, on REST, without it enabled for the app) a message it did not write
and that does not mention it arrives with empty `content`, `embeds`, `attachments` and
`components` (docs "Message Content Intent"). Ephemeral messages (flags 64) exist only for the
user who interacted, and INTERACTION_* events only for user sessions. User sessions send
`capabilities` and no intents; an `intents` field from a user session is ignored here (what
Discord does with one is not documented).
"""

from __future__ import annotations

from typing import Any

from ._accounts import Caller
from ._config import BotAccount

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
# Documented intent bits: 0-16, 20, 21, 24, 25.
KNOWN = sum(1 << bit for bit in (*range(17), 20, 21, 24, 25))
EPHEMERAL = 64
CONTENT_FIELDS = ("content", "embeds", "attachments", "components")

INVALID_INTENTS = 4013
DISALLOWED_INTENTS = 4014

Json = dict[str, Any]


def identify_problem(bot: BotAccount, intents: Any) -> tuple[int, str] | None:
    """The close code and reason for a bot IDENTIFY's intents, or None when they are acceptable."""
    if isinstance(intents, bool) or not isinstance(intents, int) or intents < 0 or intents & ~KNOWN:
        return INVALID_INTENTS, "Invalid intent(s)."
    enabled = MESSAGE_CONTENT if bot.message_content else 0
    if intents & PRIVILEGED & ~enabled:
        return DISALLOWED_INTENTS, "Disallowed intent(s)."
    return None


def _mentions(message: Json, user_id: str) -> bool:
    return any(str(m.get("id")) == user_id for m in message.get("mentions") or [])


def without_content(message: Json, bot: BotAccount) -> Json:
    """The message as a reader without the MESSAGE_CONTENT intent sees it."""
    author = str((message.get("author") or {}).get("id", ""))
    if author == bot.user_id or _mentions(message, bot.user_id):
        return message
    return {**message, "content": "", "embeds": [], "attachments": [], "components": []}


def rest_view(caller: Caller, message: Json) -> Json:
    """A message as `caller` reads it over REST (the app's privileged-intent setting applies)."""
    if caller.bot is not None and not caller.bot.message_content:
        return without_content(message, caller.bot)
    return message


def gateway_view(caller: Caller, intents: int, event: str, data: Json) -> Json | None:
    """What a session with `caller` and `intents` receives of a dispatch; None: nothing."""
    bot = caller.bot
    if bot is None:
        return data
    if event.startswith("INTERACTION_") or not bot.in_guild:
        return None
    if event.startswith("MESSAGE_"):
        if not intents & GUILD_MESSAGES or int(data.get("flags") or 0) & EPHEMERAL:
            return None
        if event != "MESSAGE_DELETE" and not intents & MESSAGE_CONTENT:
            return without_content(data, bot)
    return data
