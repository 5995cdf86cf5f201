"""Workbook side of issue 4: driving Midjourney through Discord with a user token, correctly.

This folder owns the Discord REST client (`_rest`, rate limits in `_ratelimit`), the Gateway
client (`_gateway`) with REST channel polling as fallback (`_poller`, combined in `_watch`), the
correlation of bot messages to jobs (`_correlate`, parsing in `_parse`), storage of grids and
upscales with per-job metadata (`_storage`), the job runner (`_runner`, sync facade `_session`),
the live-mode spending guard (`_config`), progress display (`_view`) and the run report
(`_report`). The same code runs against discord.com and against the sandbox emulator; only
base URLs, ids and the token's environment variable change.
"""

from ._config import JobSpec, RunConfig, guard_spend, plan_jobs
from ._correlate import Correlator, JobState, Phase
from ._errors import (
    CommandNotFoundError,
    DiscordAuthError,
    DiscordConfigError,
    DiscordForbiddenError,
    DiscordHTTPError,
    GatewayError,
    InvalidRequestBudgetError,
    MidjourneyError,
    RetriesExhaustedError,
    SpendRefusedError,
    StaleCommandVersionError,
)
from ._parse import Notice, classify_notice, normalize_prompt
from ._report import JobResult, RunReport
from ._rest import MIDJOURNEY_APPLICATION_ID, Command, DiscordRest
from ._runner import MidjourneyClient
from ._session import Session
from ._view import ProgressView

__all__ = [
    "MIDJOURNEY_APPLICATION_ID",
    "Command",
    "CommandNotFoundError",
    "Correlator",
    "DiscordAuthError",
    "DiscordConfigError",
    "DiscordForbiddenError",
    "DiscordHTTPError",
    "DiscordRest",
    "GatewayError",
    "InvalidRequestBudgetError",
    "JobResult",
    "JobSpec",
    "JobState",
    "MidjourneyClient",
    "MidjourneyError",
    "Notice",
    "Phase",
    "ProgressView",
    "RetriesExhaustedError",
    "RunConfig",
    "RunReport",
    "Session",
    "SpendRefusedError",
    "StaleCommandVersionError",
    "classify_notice",
    "guard_spend",
    "normalize_prompt",
    "plan_jobs",
]
