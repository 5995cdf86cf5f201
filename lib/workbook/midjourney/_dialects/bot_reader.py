"""Two identities: a bot reads the channel (`Authorization: Bot <token>`) and runs the Gateway
session with intents; the user token only sends interactions. The bot's session gets no
INTERACTION_* events and no ephemeral messages, and the user has no session of its own, so the
interactions carry a session id the client makes up (Discord does not check it: novicezk and
yokonsan hard-code one, reference notes §1.2)."""

from __future__ import annotations

from typing import Any, ClassVar

from .._dialect import DiscordDialect


class BotReader(DiscordDialect):
    name: ClassVar[str] = "bot-reader"
    sees_user_events: ClassVar[bool] = False

    def identify(self, token: str, properties: dict[str, Any]) -> dict[str, Any]:
        # A bot identifies with intents (required since gateway v8), not with a user's capabilities.
        return {
            "token": token,
            "intents": self.options.intents,
            "properties": {"os": properties.get("os", "linux"), "browser": "workbook", "device": "workbook"},
            "compress": False,
        }

    def interaction_session(self, gateway_session: str | None) -> str | None:
        return None
