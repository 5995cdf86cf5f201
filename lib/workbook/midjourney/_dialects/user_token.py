"""One identity: the user token sends interactions, reads the channel and runs its own Gateway
session (a user IDENTIFY: `capabilities` and browser properties, no intents; reference notes §5.1)."""

from __future__ import annotations

from typing import Any, ClassVar

from .._dialect import DiscordDialect


class UserToken(DiscordDialect):
    name: ClassVar[str] = "user-token"
    sees_user_events: ClassVar[bool] = True

    def identify(self, token: str, properties: dict[str, Any]) -> dict[str, Any]:
        return {
            "token": token,
            "capabilities": self.options.capabilities,
            "properties": properties,
            "presence": {"activities": [], "afk": False, "since": 0, "status": "online"},
            "compress": False,
        }

    def interaction_session(self, gateway_session: str | None) -> str | None:
        return gateway_session
