"""`python -m workbook.sandbox.discord --port N ...`: run the emulator (the launcher does this)."""

from __future__ import annotations

import argparse
import os

from .._faults import time_scale_from_env
from ._app import serve
from ._config import EmulatorConfig, Settings

TOKEN_ENV = "SANDBOX_DISCORD_TOKEN"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workbook.sandbox.discord", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--guild-id", required=True)
    parser.add_argument("--channel-id", required=True)
    parser.add_argument("--user-id", required=True)
    parser.add_argument("--username", default="sandbox_user")
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
    )
    serve(config, Settings(time_scale=time_scale_from_env()))


if __name__ == "__main__":
    main()
