"""The launcher's factory for the Discord emulator: one loopback port, ids, a user token and a
reader bot's token (the two identities real deployments use)."""

from __future__ import annotations

import base64
import os
import secrets
import sys
import time

from .._spec import ServiceContext, ServiceSpec
from ._config import IMAGINE_COMMAND_ID, IMAGINE_VERSION, MJ_APPLICATION_ID
from ._snowflake import snowflake_from_ms

TOKEN_ENV = "SANDBOX_DISCORD_TOKEN"
BOT_TOKEN_ENV = "SANDBOX_DISCORD_BOT_TOKEN"
# Optional, for tests: a JSON list of further bots `[{"token", "user_id", "in_guild",
# "message_content"}]` (e.g. one outside the guild, one without the message content intent).
EXTRA_BOTS_ENV = "SANDBOX_DISCORD_EXTRA_BOT_TOKENS"
# Optional: other bases for attachment URLs (e.g. https://cdn.discordapp.com when a harness maps
# that host onto the emulator's port, which serves `/attachments/...` at its root too).
CDN_URL_ENV = "WORKBOOK_DISCORD_CDN_URL"
MEDIA_URL_ENV = "WORKBOOK_DISCORD_MEDIA_URL"
NAME = "discord"


def account_token(account_id: str) -> str:
    """Shaped like a Discord token (user and bot tokens look alike): base64(id) . 6 chars . 38 chars."""
    head = base64.b64encode(account_id.encode()).decode().rstrip("=")
    return f"{head}.{secrets.token_urlsafe(5)[:6]}.{secrets.token_urlsafe(30)[:38]}"


def service(ctx: ServiceContext) -> ServiceSpec:
    port = ctx.free_port()
    now_ms = int(time.time() * 1000) - 86_400_000
    guild_id, channel_id, user_id, bot_user_id = (
        str(snowflake_from_ms(now_ms - i * 1000, increment=i)) for i in (4, 3, 2, 1)
    )
    token = account_token(user_id)
    bot_token = account_token(bot_user_id)
    base = f"http://127.0.0.1:{port}"
    cdn_url = os.environ.get(CDN_URL_ENV) or f"{base}/cdn"
    media_url = os.environ.get(MEDIA_URL_ENV) or f"{base}/media"
    return ServiceSpec(
        name=NAME,
        argv=[
            sys.executable,
            "-m",
            "workbook.sandbox.discord",
            "--port",
            str(port),
            "--guild-id",
            guild_id,
            "--channel-id",
            channel_id,
            "--user-id",
            user_id,
            "--bot-user-id",
            bot_user_id,
            "--cdn-url",
            cdn_url,
            "--media-url",
            media_url,
        ],
        ready_url=f"{base}/admin/health",
        outputs={
            "url": base,
            "api_url": f"{base}/api/v9",
            "gateway_url": f"ws://127.0.0.1:{port}/gateway",
            "admin_url": f"{base}/admin",
            "cdn_url": cdn_url,
            "media_url": media_url,
            "guild_id": guild_id,
            "channel_id": channel_id,
            "application_id": MJ_APPLICATION_ID,
            "user_id": user_id,
            "bot_user_id": bot_user_id,
            "imagine_command_id": IMAGINE_COMMAND_ID,
            "imagine_version": IMAGINE_VERSION,
        },
        env={TOKEN_ENV: token, BOT_TOKEN_ENV: bot_token},
        secrets={TOKEN_ENV: token, BOT_TOKEN_ENV: bot_token},
        ready_timeout_s=20.0,
        stop_timeout_s=5.0,
    )
