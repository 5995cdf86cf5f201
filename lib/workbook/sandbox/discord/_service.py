"""The launcher's factory for the Discord emulator: one loopback port, ids and a user token."""

from __future__ import annotations

import base64
import secrets
import sys
import time

from .._spec import ServiceContext, ServiceSpec
from ._config import IMAGINE_COMMAND_ID, IMAGINE_VERSION, MJ_APPLICATION_ID
from ._snowflake import snowflake_from_ms

TOKEN_ENV = "SANDBOX_DISCORD_TOKEN"
NAME = "discord"


def _user_token(user_id: str) -> str:
    """Shaped like a Discord user token: base64(user id) . 6 chars . 38 chars."""
    head = base64.b64encode(user_id.encode()).decode().rstrip("=")
    return f"{head}.{secrets.token_urlsafe(5)[:6]}.{secrets.token_urlsafe(30)[:38]}"


def service(ctx: ServiceContext) -> ServiceSpec:
    port = ctx.free_port()
    now_ms = int(time.time() * 1000) - 86_400_000
    guild_id, channel_id, user_id = (str(snowflake_from_ms(now_ms - i * 1000, increment=i)) for i in (3, 2, 1))
    token = _user_token(user_id)
    base = f"http://127.0.0.1:{port}"
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
        ],
        ready_url=f"{base}/admin/health",
        outputs={
            "api_url": f"{base}/api/v9",
            "gateway_url": f"ws://127.0.0.1:{port}/gateway",
            "admin_url": f"{base}/admin",
            "guild_id": guild_id,
            "channel_id": channel_id,
            "application_id": MJ_APPLICATION_ID,
            "user_id": user_id,
            "imagine_command_id": IMAGINE_COMMAND_ID,
            "imagine_version": IMAGINE_VERSION,
        },
        env={TOKEN_ENV: token},
        secrets={TOKEN_ENV: token},
        ready_timeout_s=20.0,
        stop_timeout_s=5.0,
    )
