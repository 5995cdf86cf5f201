"""Connection profiles for the client tests: the user (and a reader bot) as `services:` entries
would give them, their secrets in named environment variables."""

from __future__ import annotations

from workbook.connect import Auth, ServiceProfile
from workbook.midjourney import DiscordDialect, open_dialect

TOKEN_ENV = "SANDBOX_DISCORD_TOKEN"
BOT_TOKEN_ENV = "SANDBOX_DISCORD_BOT_TOKEN"


def profile(
    url: str, ws_url: str = "", *, secret_env: str = TOKEN_ENV, bot: bool = False, name: str = ""
) -> ServiceProfile:
    auth = Auth(kind="header", name="Authorization", secret_env=secret_env, prefix="Bot " if bot else "")
    return ServiceProfile(name=name or ("discord_bot" if bot else "discord"), url=url, ws_url=ws_url, auth=auth)


def dialect_for(
    out: dict[str, str], *, two_identities: bool = False, user_env: str = TOKEN_ENV, gateway_url: str | None = None
) -> DiscordDialect:
    """The emulator's user (and, with two identities, its reader bot) as the dialect sees them;
    `gateway_url=""`: no ws_url in the profiles (the client asks GET /gateway)."""
    ws = out["gateway_url"] if gateway_url is None else gateway_url
    user = profile(out["api_url"], ws, secret_env=user_env)
    bot = profile(out["api_url"], ws, secret_env=BOT_TOKEN_ENV, bot=True) if two_identities else None
    return open_dialect("", user, bot)
