"""Static identity of one emulator instance (ids, token, URLs) and its mutable bot settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._faults import FaultSwitches
from ._eras import ERAS, Era

# Real Midjourney identifiers (reference notes §1.2): clients send these, so the emulator uses them.
MJ_APPLICATION_ID = "936929561302675456"
IMAGINE_COMMAND_ID = "938956540159881230"
IMAGINE_VERSION = "1237876415471554623"
# What the index reports once `stale_command_version` is on (a newer snowflake, as after a deploy).
ROTATED_IMAGINE_VERSION = "1390047258374987811"
BOT_USERNAME = "Midjourney Bot"
BOT_DISCRIMINATOR = "9282"
BOT_AVATAR = "4a79ea7cd151474ff9f6e08339d69380"

# Fault switch names: part of the contract with tests (see the package docstring).
FAULT_SWITCHES = (
    "rate_limit_storm",
    "server_error_burst",
    "gateway_drop_mid_job",
    "gateway_down",
    "out_of_order",
    "stale_history",
    "stale_command_version",
    "action_grids",
)


def faults(initial: Mapping[str, Any]) -> FaultSwitches:
    """The registry's validating constructor: the emulator's switches with `initial` set."""
    return FaultSwitches(FAULT_SWITCHES, initial)


@dataclass(frozen=True)
class BotAccount:
    """A bot (its own application) that a deployment reads the channel with: `Authorization: Bot
    <token>` on REST, its own Gateway session with intents. Modern apps' bot user id is the
    application id."""

    token: str
    user_id: str
    username: str = "sandbox_reader"
    in_guild: bool = True  # a member of the guild, allowed to view the channel and read its history
    message_content: bool = True  # the MESSAGE_CONTENT privileged intent is enabled in its app's settings


@dataclass(frozen=True)
class EmulatorConfig:
    port: int
    token: str
    guild_id: str
    channel_id: str
    user_id: str
    username: str = "sandbox_user"
    host: str = "127.0.0.1"
    application_id: str = MJ_APPLICATION_ID
    # Key for the signed `?ex=&is=&hm=` attachment URLs.
    cdn_secret: str = "sandbox"
    bots: tuple[BotAccount, ...] = ()
    # Where attachment URLs point: `{cdn_url}/attachments/<channel>/<attachment>/<file>?ex=&is=&hm=&`
    # (cdn.discordapp.com's shape) and the same path under `media_url` for `proxy_url`
    # (media.discordapp.net). Empty: served by this process at `{base_url}/cdn` and `{base_url}/media`.
    cdn_url: str = ""
    media_url: str = ""

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def cdn_base(self) -> str:
        return (self.cdn_url or f"{self.base_url}/cdn").rstrip("/")

    @property
    def media_base(self) -> str:
        return (self.media_url or f"{self.base_url}/media").rstrip("/")

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v9"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        # A different address than the initial one, as on Discord, so clients must use the right one.
        return f"ws://{self.host}:{self.port}/gateway-resume"

    @property
    def admin_url(self) -> str:
        return f"{self.base_url}/admin"


@dataclass
class Timings:
    """Emulated seconds (divided by the time scale). Defaults follow reference notes §3.1."""

    start_s: float = 2.0  # interaction -> "(Waiting to start)"
    first_progress_s: float = 8.0  # waiting -> first progress edit
    progress_s: float = 45.5  # first progress edit -> last one, however many the era shows
    finish_s: float = 7.0  # last progress -> delete + final grid
    delete_gap_s: float = 0.3  # progress deletion -> final message
    upscale_s: float = 4.0  # U button -> "Image #N"


@dataclass
class Settings:
    """Bot behaviour a test may change at runtime through `PUT {admin_url}/settings`."""

    time_scale: float = 1.0
    mode: str = "fast"  # fast | relaxed | turbo
    suffix: str = "--v 7.0"  # the account's /settings suffix, appended to echoed prompts
    concurrency: int = 3
    queue_size: int = 10
    image_base: int = 1024  # upscale edge for --ar 1:1; the grid is twice that
    final_interaction_metadata: bool = True  # newer MJ puts interaction_metadata on finals
    era: str = "v7"  # message shapes: v7 (live today) | v6 | v5 | v4, see _eras
    grid_format: str = ""  # "" (the era's) | "webp" | "png"
    stealth: bool = False  # the mode shows as "(fast, stealth)"
    relax_paused: bool = False  # relaxed jobs first show "(paused) (relaxed)"
    progress_hash: bool = True  # progress messages show the job hash (preview image, Cancel Job button)
    progress_delete: str = "before"  # the waiting message is deleted "before" or "after" the final, or "never"
    timings: Timings = field(default_factory=Timings)

    @property
    def shapes(self) -> Era:
        return ERAS[self.era]

    def scaled(self, emulated_s: float) -> float:
        return emulated_s / self.time_scale
