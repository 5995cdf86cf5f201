"""Driving Midjourney through Discord correctly (issues 4 and 25), with one identity or two.

This folder owns the dialect seam (`_dialect`: which identity sends interactions, reads the channel
and watches the Gateway; one module per dialect in `_dialects/`: `user-token`, and `bot-reader` for
the two-identity setup real deployments use), the Discord REST client (`_rest`, rate limits in
`_ratelimit`), the Gateway client (`_gateway`) with REST channel polling as fallback (`_poller`,
combined in `_watch`), the correlation of bot messages to jobs (`_correlate`, parsing in `_parse`,
prompt canonicalisation in `_prompt`), storage of grids and upscales with per-job metadata
(`_storage`), the client (`_client`: run-wide parts; `_job_flow`: one job's flow; `_sync_client`:
the client driven from cells), the run report and its inspectors (`_report`), the settings and live-
mode spending guard (`_config`), notebook 20's run (`_run`) and checks (`_checks`), and progress
display (`_view`). The same code runs against discord.com and against the sandbox emulator: every
connection comes from a service profile (`services:` in params); only URLs, ids and the credentials'
variables change.
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
from ._dialect import DiscordDialect, DiscordOptions, Routes
from ._dialects import DIALECTS, open_dialect
from ._errors import DiscordConfigError, MidjourneyError, SpendRefusedError
from ._report import RunReport
from ._run import MidjourneyRun
from ._view import ProgressView

__all__ = [
    "CHECKS",
    "DIALECTS",
    "DiscordConfigError",
    "DiscordDialect",
    "DiscordOptions",
    "MidjourneyClient",
    "MidjourneyError",
    "MidjourneyRun",
    "MidjourneySettings",
    "ProgressView",
    "Routes",
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
    "open_dialect",
    "plan_jobs",
]
