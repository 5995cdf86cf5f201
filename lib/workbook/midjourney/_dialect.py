"""The seam between the Midjourney client and how a deployment talks to Discord.

Midjourney is driven through Discord in two ways real deployments use, the *dialects*
(`_dialects/`, chosen by the `dialect` parameter or the user profile's `dialect:`):

* `user-token` — one identity: the user token sends the interactions, reads the channel and runs
  its own Gateway session (the web client, novicezk/trueai proxies, erictik, Mutiny).
* `bot-reader` — two identities: the user token only sends interactions; a bot (`Authorization:
  Bot <token>`) reads the channel and runs the Gateway session with intents (yokonsan's proxy,
  ss_automation's client, novicezk before 2023-06). A bot session sees no INTERACTION_* events and
  no ephemeral messages (Midjourney's error notices for the user, the captcha), and the user has no
  Gateway session, so interactions carry a session id of the client's own (as yokonsan's).

A dialect says which connection profile does what and how the Gateway session identifies; the
REST client (`_rest`), Gateway client (`_gateway`) and job flow are shared. What varies inside
Discord (route templates, intents, capabilities) is `DiscordOptions`, with Discord's values as
defaults, overridable from params (`dialect_options`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..connect import ServiceProfile
from ._errors import DiscordConfigError

# GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT: what a reader bot needs (ss_automation sends 33281).
READER_INTENTS = (1 << 0) | (1 << 9) | (1 << 15)


class Routes(BaseModel):
    """REST route templates, relative to the profile's API base URL."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    me: str = "/users/@me"
    gateway: str = "/gateway"
    command_index: str = "/guilds/{guild_id}/application-command-index"
    interactions: str = "/interactions"
    messages: str = "/channels/{channel_id}/messages"
    message: str = "/channels/{channel_id}/messages/{message_id}"


class DiscordOptions(BaseModel):
    """What varies inside Discord, with Discord's values as defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    routes: Routes = Field(default_factory=Routes)
    intents: int = Field(READER_INTENTS, ge=0)  # a bot reader's IDENTIFY
    capabilities: int = Field(16381, ge=0)  # a user session's IDENTIFY (the web client's value)

    @classmethod
    def parse(cls, values: dict[str, Any]) -> DiscordOptions:
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise DiscordConfigError(f"dialect_options: {problems}") from None


class DiscordDialect(ABC):
    """Which identity does what. `sender` posts interactions; `reader` reads the channel and
    identifies the Gateway session."""

    name: ClassVar[str]
    # Whether the watching session receives INTERACTION_* events and ephemeral messages.
    sees_user_events: ClassVar[bool]

    def __init__(self, sender: ServiceProfile, reader: ServiceProfile, options: DiscordOptions) -> None:
        for role, profile in (("user", sender), ("reader", reader)):
            auth = profile.auth
            if auth is None or auth.kind != "header" or auth.name.lower() != "authorization":
                raise DiscordConfigError(
                    f"service profile {profile.name!r} ({role}) must authenticate with "
                    '`auth: {kind: header, name: Authorization, secret_env: ...}` (a bot adds `prefix: "Bot "`)'
                )
        self.sender = sender
        self.reader = reader
        self.options = options

    @property
    def identities(self) -> list[tuple[str, ServiceProfile]]:
        """(role, profile) of every distinct identity the run uses."""
        return [("user", self.sender)] + ([("reader", self.reader)] if self.reader is not self.sender else [])

    def gateway_token(self) -> str:
        """The token the Gateway session IDENTIFYs (and RESUMEs) with: the reader's, without a prefix."""
        assert self.reader.auth is not None
        return self.reader.auth.secret()

    def secrets(self) -> set[str]:
        """Every credential value the run sends, for scrubbing its evidence."""
        return {profile.auth.secret() for _, profile in self.identities if profile.auth is not None}

    @abstractmethod
    def identify(self, token: str, properties: dict[str, Any]) -> dict[str, Any]:
        """The IDENTIFY payload's `d` for the Gateway session."""

    @abstractmethod
    def interaction_session(self, gateway_session: str | None) -> str | None:
        """The `session_id` interactions carry (None: the client makes one up)."""
