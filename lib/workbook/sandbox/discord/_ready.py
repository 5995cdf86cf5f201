"""What a Gateway session receives when it is identified: READY for a user account (its guilds
inline, as the user client gets them) or for a bot (its own user, its guilds `unavailable` until
GUILD_CREATE, its application), and the bot's GUILD_CREATE when it asked for the GUILDS intent
(discord-api-docs "Ready" and "Guild Create")."""

from __future__ import annotations

from typing import Any

from ._accounts import Caller
from ._config import BotAccount, EmulatorConfig
from ._messages import bot_account_user, me_object

Json = dict[str, Any]
APP_FLAG_GATEWAY_MESSAGE_CONTENT = 1 << 18  # the app has the MESSAGE_CONTENT intent enabled


def _channel(config: EmulatorConfig) -> Json:
    return {"id": config.channel_id, "type": 0, "name": "midjourney", "guild_id": config.guild_id, "position": 0}


def ready_payload(config: EmulatorConfig, caller: Caller, session_id: str, version: int) -> Json:
    common = {
        "v": version,
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": config.resume_gateway_url,
    }
    if caller.bot is not None:
        return {**common, **_bot_ready(config, caller.bot)}
    return {
        **common,
        "user": me_object(config),
        "guilds": [{"id": config.guild_id, "name": "Sandbox", "unavailable": False, "channels": [_channel(config)]}],
        "private_channels": [],
        "relationships": [],
        "user_settings": {},
        "sessions": [{"session_id": session_id, "status": "online", "activities": []}],
    }


def _bot_ready(config: EmulatorConfig, bot: BotAccount) -> Json:
    flags = APP_FLAG_GATEWAY_MESSAGE_CONTENT if bot.message_content else 0
    return {
        "user": bot_account_user(bot),
        "guilds": [{"id": config.guild_id, "unavailable": True}] if bot.in_guild else [],
        "application": {"id": bot.user_id, "flags": flags},
        "private_channels": [],
        "relationships": [],
        "shard": [0, 1],
    }


def guild_create(config: EmulatorConfig) -> Json:
    return {
        "id": config.guild_id,
        "name": "Sandbox",
        "unavailable": False,
        "member_count": 3,
        "channels": [_channel(config)],
        "threads": [],
        "roles": [{"id": config.guild_id, "name": "@everyone", "permissions": "1024"}],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "large": False,
    }
