"""Workbook side of issue 4: driving Midjourney through Discord with a user token, correctly.

This folder owns the Discord REST client (`_rest`, rate limits in `_ratelimit`), the Gateway
client (`_gateway`) with REST channel polling as fallback (`_poller`, combined in `_watch`), the
correlation of bot messages to jobs (`_correlate`, parsing in `_parse`, prompt canonicalisation in
`_prompt`), storage of grids and upscales with per-job metadata (`_storage`), the client
(`_client`: run-wide parts; `_job_flow`: one job's flow; `_sync_client`: the client driven from
cells), the run report and its inspectors (`_report`), the settings and live-mode spending guard
(`_config`), notebook 20's run (`_run`) and checks (`_checks`), and progress display (`_view`).
The same code runs against discord.com and against the sandbox emulator; only base URLs, ids and
the token's environment variable change.
"""

from ._checks import (
    CHECKS,
    check_command,
    check_images,
    check_jobs_completed,
    check_newer_than_submission,
    check_own_results,
    check_rest_budget,
    check_token,
    check_unique_messages,
)
from ._client import MidjourneyClient
from ._config import MidjourneySettings, RunConfig, plan_jobs
from ._errors import DiscordConfigError, MidjourneyError, SpendRefusedError
from ._report import RunReport
from ._run import MidjourneyRun
from ._view import ProgressView

__all__ = [
    "CHECKS",
    "DiscordConfigError",
    "MidjourneyClient",
    "MidjourneyError",
    "MidjourneyRun",
    "MidjourneySettings",
    "ProgressView",
    "RunConfig",
    "RunReport",
    "SpendRefusedError",
    "check_command",
    "check_images",
    "check_jobs_completed",
    "check_newer_than_submission",
    "check_own_results",
    "check_rest_budget",
    "check_token",
    "check_unique_messages",
    "plan_jobs",
]
