"""`python -m workbook.sandbox.discord --port N ...`: run the emulator (the launcher does this)."""

from __future__ import annotations

import argparse
import json
import os

from .._faults import time_scale_from_env
from ._app import serve
from ._config import BotAccount, EmulatorConfig, Settings
from ._service import BOT_TOKEN_ENV, EXTRA_BOTS_ENV, TOKEN_ENV


def _bots(parser: argparse.ArgumentParser, bot_user_id: str | None) -> tuple[BotAccount, ...]:
    bots = []
    token = os.environ.get(BOT_TOKEN_ENV, "")
    if bot_user_id and token:
        bots.append(BotAccount(token=token, user_id=bot_user_id))
    elif bot_user_id or token:
        parser.error(f"--bot-user-id and the environment variable {BOT_TOKEN_ENV} go together")
    try:
        extra = json.loads(os.environ.get(EXTRA_BOTS_ENV) or "[]")
        bots.extend(BotAccount(**entry) for entry in extra)
    except (ValueError, TypeError) as error:
        # The value holds tokens: name the variable and the problem, never the value.
        parser.error(f"{EXTRA_BOTS_ENV} must be a JSON list of bot accounts ({type(error).__name__})")
    return tuple(bots)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.discord", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--guild-id", required=True)
    parser.add_argument("--channel-id", required=True)
    parser.add_argument("--user-id", required=True)
    parser.add_argument("--username", default="sandbox_user")
    parser.add_argument("--bot-user-id", default=None, help=f"the reader bot's user id (token in {BOT_TOKEN_ENV})")
    parser.add_argument("--cdn-url", default="", help="base of attachment URLs (default: this server's /cdn)")
    parser.add_argument("--media-url", default="", help="base of attachment proxy URLs (default: /media)")
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        parser.error(f"environment variable {TOKEN_ENV} must hold the user token to accept")
    config = EmulatorConfig(
        port=args.port,
        token=token,
        guild_id=args.guild_id,
        channel_id=args.channel_id,
        user_id=args.user_id,
        username=args.username,
        cdn_secret=os.urandom(16).hex(),
        bots=_bots(parser, args.bot_user_id),
        cdn_url=args.cdn_url,
        media_url=args.media_url,
    )
    serve(config, Settings(time_scale=time_scale_from_env()))


if __name__ == "__main__":
    main()
