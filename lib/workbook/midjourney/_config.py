"""Run configuration, the job plan, and the live-mode spending guard."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from ..notebook import NotebookSettings, describe_validation_error
from ..runtime import evidence_dir
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


class RunConfig(NotebookSettings):
    """What the client needs for one run besides its connections (those come from service
    profiles, through the dialect). Built with keywords (`RunConfig(guild_id=..., ...)`) or from a
    notebook namespace (`from_namespace`); an invalid value raises DiscordConfigError (a
    UsageError) naming it."""

    guild_id: str
    channel_id: str
    evidence_dir: Path
    application_id: str = MIDJOURNEY_APPLICATION_ID
    watch: str = "gateway"
    concurrency: int = 3
    job_timeout_s: float = Field(300.0, gt=0)
    upscale_timeout_s: float = Field(120.0, gt=0)
    # Midjourney deletes the progress message and posts the final within a second; a deleted
    # progress message with no final after this long means the job was moderated away.
    deleted_grace_s: float = Field(30.0, gt=0)
    poll_interval_s: float = Field(2.0, gt=0)
    gateway_connect_timeout_s: float = Field(10.0, gt=0)
    interaction_gap_s: float = Field(0.0, ge=0)
    invalid_request_budget: int = Field(50, ge=1)
    max_retries: int = Field(4, ge=0)
    max_rate_limit_retries: int = Field(8, ge=0)
    clock_skew_s: float = Field(2.0, ge=0)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise DiscordConfigError(describe_validation_error(type(self).__name__, error)) from None

    @classmethod
    def of(cls, **values: Any) -> Self:
        return cls(**values)

    @field_validator("guild_id", "channel_id", "application_id", mode="before")
    @classmethod
    def _snowflake(cls, value: Any, info: ValidationInfo) -> str:
        text = str(value)
        if not text.isdigit():
            raise DiscordConfigError(f"{info.field_name} must be a Discord snowflake (digits only), got {text!r}")
        if set(text) == {"0"}:
            raise DiscordConfigError(
                f"{info.field_name} is still the placeholder {text!r}; put the real id in the params file"
            )
        return text

    @field_validator("watch")
    @classmethod
    def _watch(cls, value: str) -> str:
        if value not in WATCH_MODES:
            raise DiscordConfigError(f"watch must be one of {WATCH_MODES}, got {value!r}")
        return value

    @field_validator("concurrency")
    @classmethod
    def _concurrency(cls, value: int) -> int:
        if not 1 <= value <= 20:
            raise DiscordConfigError(f"concurrency must be between 1 and 20, got {value}")
        return value


class MidjourneySettings(RunConfig):
    """Notebook 20's parameters (field names are its parameter names), validated once; the client
    settings it does not set keep RunConfig's defaults. `jobs` is the validated job plan."""

    mode: Literal["sandbox", "live"] = "sandbox"
    services: dict[str, Any] = Field(default_factory=dict)
    discord_service: str = "discord"
    discord_bot_service: str = ""
    dialect: str = ""
    dialect_options: dict[str, Any] = Field(default_factory=dict)
    prompts: list[str]
    upscale_indexes: list[int] = Field(default_factory=lambda: [1])
    max_rest_calls_per_job: float = Field(3.0, gt=0)
    max_cell_difference: float = Field(16.0, ge=0, le=255)
    max_jobs: int = Field(6, ge=0)
    allow_spend: bool = False
    # Not a notebook parameter: the runner says where this notebook's evidence goes.
    evidence_dir: Path = Field(default_factory=lambda: evidence_dir("20_midjourney"))

    @property
    def jobs(self) -> list[JobSpec]:
        return plan_jobs(self.prompts, self.upscale_indexes)

    @model_validator(mode="after")
    def _plan(self) -> Self:
        plan_jobs(self.prompts, self.upscale_indexes)
        return self


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
