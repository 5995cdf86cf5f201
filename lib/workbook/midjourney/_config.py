"""Run configuration, the job plan, and the live-mode spending guard."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ._errors import DiscordConfigError, SpendRefusedError
from ._rest import MIDJOURNEY_APPLICATION_ID

WATCH_MODES = ("gateway", "poll")
MODES = ("sandbox", "live")
SPEND_ENV = "RUN_FULL_API_TEST"
REAL_DISCORD_HOSTS = ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com")


@dataclass(frozen=True)
class JobSpec:
    prompt: str
    upscale_index: int


@dataclass(frozen=True)
class RunConfig:
    api_url: str
    gateway_url: str  # empty: ask `GET /gateway`
    guild_id: str
    channel_id: str
    evidence_dir: Path
    application_id: str = MIDJOURNEY_APPLICATION_ID
    watch: str = "gateway"
    concurrency: int = 3
    job_timeout_s: float = 300.0
    upscale_timeout_s: float = 120.0
    # Midjourney deletes the progress message and posts the final within a second; a deleted
    # progress message with no final after this long means the job was moderated away.
    deleted_grace_s: float = 30.0
    poll_interval_s: float = 2.0
    gateway_connect_timeout_s: float = 10.0
    interaction_gap_s: float = 0.0
    invalid_request_budget: int = 50
    max_retries: int = 4
    max_rate_limit_retries: int = 8
    clock_skew_s: float = 2.0

    def __post_init__(self) -> None:
        for name in ("guild_id", "channel_id", "application_id"):
            value = str(getattr(self, name))
            if not value.isdigit():
                raise DiscordConfigError(f"{name} must be a Discord snowflake (digits only), got {value!r}")
            if set(value) == {"0"}:
                raise DiscordConfigError(
                    f"{name} is still the placeholder {value!r}; put the real id in the params file"
                )
        api = urlsplit(self.api_url)
        if api.scheme not in ("http", "https") or not api.netloc:
            raise DiscordConfigError(
                f"api_url must be an http(s) URL such as https://discord.com/api/v10, got {self.api_url!r}"
            )
        gateway = urlsplit(self.gateway_url)
        if self.gateway_url and (gateway.scheme not in ("ws", "wss") or not gateway.netloc):
            raise DiscordConfigError(
                f"gateway_url must be a ws(s):// URL such as wss://gateway.discord.gg (or empty to ask "
                f"GET /gateway), got {self.gateway_url!r}"
            )
        if self.watch not in WATCH_MODES:
            raise DiscordConfigError(f"watch must be one of {WATCH_MODES}, got {self.watch!r}")
        if not 1 <= self.concurrency <= 20:
            raise DiscordConfigError(f"concurrency must be between 1 and 20, got {self.concurrency}")
        for name in (
            "job_timeout_s",
            "upscale_timeout_s",
            "deleted_grace_s",
            "poll_interval_s",
            "gateway_connect_timeout_s",
        ):
            if not float(getattr(self, name)) > 0:
                raise DiscordConfigError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.interaction_gap_s < 0:
            raise DiscordConfigError(f"interaction_gap_s must be >= 0, got {self.interaction_gap_s}")


def plan_jobs(prompts: Sequence[str], upscale_indexes: Sequence[int]) -> list[JobSpec]:
    """Pair prompts with upscale indexes (one index for all, or one per prompt)."""
    if isinstance(prompts, str) or not prompts:
        raise DiscordConfigError(f"prompts must be a non-empty list of strings, got {prompts!r}")
    for prompt in prompts:
        if not isinstance(prompt, str) or not prompt.strip():
            raise DiscordConfigError(f"every prompt must be a non-empty string, got {prompt!r}")
    indexes = list(upscale_indexes)
    if len(indexes) == 1:
        indexes = indexes * len(prompts)
    if len(indexes) != len(prompts):
        raise DiscordConfigError(
            f"upscale_indexes must have 1 entry or one per prompt ({len(prompts)}), got {len(indexes)}"
        )
    for index in indexes:
        if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= 4:
            raise DiscordConfigError(f"each upscale index must be an integer 1..4 (U1-U4), got {index!r}")
    return [JobSpec(prompt, index) for prompt, index in zip(prompts, indexes, strict=True)]


def guard_spend(
    *,
    mode: str,
    jobs: Sequence[JobSpec],
    max_jobs: int,
    allow_spend: bool,
    api_url: str,
    channel_id: str,
    env: Mapping[str, str] | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Say what the run is about to spend, then refuse unless every guard holds.

    Both modes: never more than `max_jobs`. Sandbox mode must not point at real Discord. Live mode
    needs `allow_spend` *and* the environment variable RUN_FULL_API_TEST=true.
    """
    env = os.environ if env is None else env
    if mode not in MODES:
        raise DiscordConfigError(f"mode must be one of {MODES}, got {mode!r}")
    if max_jobs < 0:
        raise DiscordConfigError(f"max_jobs must be >= 0, got {max_jobs}")
    host = (urlsplit(api_url).hostname or "").lower()
    real = host in REAL_DISCORD_HOSTS or host.endswith(".discord.com")
    say(
        f"[{mode}] about to submit {len(jobs)} /imagine job(s) and {len(jobs)} upscale(s) "
        f"to channel {channel_id} via {api_url}"
        + (f" — on a real account this spends about {2 * len(jobs)} fast GPU-minutes" if real else "")
    )
    if len(jobs) > max_jobs:
        raise SpendRefusedError(f"{len(jobs)} job(s) planned but max_jobs is {max_jobs}; refusing to start")
    if mode == "sandbox":
        if real:
            raise SpendRefusedError(f"mode 'sandbox' must not use real Discord ({api_url}); set mode: live")
        return
    if not allow_spend:
        raise SpendRefusedError("live mode spends Midjourney credits: set allow_spend: true to proceed")
    if env.get(SPEND_ENV, "").strip().lower() != "true":
        raise SpendRefusedError(f"live mode needs the environment variable {SPEND_ENV}=true as well as allow_spend")
