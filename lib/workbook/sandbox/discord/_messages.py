"""Builders for Discord JSON objects: users, messages, attachments, embeds, components.

Shapes follow the real captures in reference notes §3.4-3.7 and the discord-api-docs objects.
"""

from __future__ import annotations

from typing import Any

from ._config import BOT_AVATAR, BOT_DISCRIMINATOR, BOT_USERNAME, MJ_APPLICATION_ID, BotAccount, EmulatorConfig

# Message types (discord-api-docs "Message Types").
DEFAULT = 0
REPLY = 19
CHAT_INPUT_COMMAND = 20
EPHEMERAL = 64
ERROR_COLOR = 16711680
WARNING_COLOR = 16776960
INFO_COLOR = 16239475
BLURPLE = 5793266

Json = dict[str, Any]


def user_object(config: EmulatorConfig) -> Json:
    return {
        "id": config.user_id,
        "username": config.username,
        "discriminator": "0",
        "global_name": config.username.replace("_", " ").title(),
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "bot": False,
    }


def me_object(config: EmulatorConfig) -> Json:
    return {
        **user_object(config),
        "mfa_enabled": False,
        "locale": "en-US",
        "premium_type": 0,
        "email": f"{config.username}@sandbox.invalid",
        "verified": True,
        "banner": None,
        "accent_color": None,
        "bio": "",
    }


def bot_account_user(bot: BotAccount) -> Json:
    """A reader bot's own user (GET /users/@me with its token, its READY)."""
    return {
        "id": bot.user_id,
        "username": bot.username,
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "bot": True,
        "verified": True,
        "mfa_enabled": False,
    }


def bot_user() -> Json:
    return {
        "id": MJ_APPLICATION_ID,
        "username": BOT_USERNAME,
        "discriminator": BOT_DISCRIMINATOR,
        "global_name": None,
        "avatar": BOT_AVATAR,
        "public_flags": 589824,
        "bot": True,
    }


def attachment(
    att_id: str,
    filename: str,
    url: str,
    proxy_url: str,
    size: int,
    width: int,
    height: int,
    content_type: str,
) -> Json:
    return {
        "id": att_id,
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": proxy_url,
        "width": width,
        "height": height,
        "content_type": content_type,
    }


def embed(title: str, description: str, color: int = ERROR_COLOR, footer: str | None = None) -> Json:
    result: Json = {"type": "rich", "title": title, "description": description, "color": color}
    if footer:
        result["footer"] = {"text": footer}
    return result


def mark_button_used(components: list[Json], custom_id: str) -> list[Json]:
    """Midjourney turns a used button blurple (style 1) by editing the message."""
    return [
        {
            **row,
            "components": [{**b, "style": 1} if b.get("custom_id") == custom_id else b for b in row["components"]],
        }
        for row in components
    ]


def all_custom_ids(components: list[Json]) -> set[str]:
    return {b["custom_id"] for row in components for b in row.get("components", []) if "custom_id" in b}


def interaction_blocks(config: EmulatorConfig, interaction_id: str, interaction_type: int, name: str) -> Json:
    """The deprecated `interaction` and the newer `interaction_metadata` fields of a bot reply."""
    user = user_object(config)
    return {
        "interaction": {"id": interaction_id, "type": interaction_type, "name": name, "user": user},
        "interaction_metadata": {
            "id": interaction_id,
            "type": interaction_type,
            "user": user,
            "authorizing_integration_owners": {"0": config.guild_id},
            **({"name": name, "command_type": 1} if interaction_type == 2 else {}),
        },
    }


def bot_message(
    config: EmulatorConfig,
    message_id: str,
    timestamp: str,
    content: str,
    *,
    message_type: int = DEFAULT,
    attachments: list[Json] | None = None,
    embeds: list[Json] | None = None,
    components: list[Json] | None = None,
    nonce: str | None = None,
    flags: int = 0,
    extra: Json | None = None,
) -> Json:
    message: Json = {
        "id": message_id,
        "type": message_type,
        "content": content,
        "channel_id": config.channel_id,
        "author": bot_user(),
        "attachments": attachments or [],
        "embeds": embeds or [],
        "mentions": [user_object(config)] if f"<@{config.user_id}>" in content else [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "timestamp": timestamp,
        "edited_timestamp": None,
        "flags": flags,
        "components": components or [],
        "webhook_id": MJ_APPLICATION_ID,
        "application_id": MJ_APPLICATION_ID,
    }
    if nonce is not None:
        message["nonce"] = nonce
    if extra:
        message.update(extra)
    return message


def api_error(code: int, message: str, errors: Json | None = None) -> Json:
    body: Json = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return body


def form_error(path: list[str], code: str, message: str) -> Json:
    """50035 Invalid Form Body with the nested `errors` object Discord uses."""
    errors: Json = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        errors = {key: errors}
    return api_error(50035, "Invalid Form Body", errors)
