"""One run of notebook 20: validated settings, its connections, the spending guard, the client,
and the report.

`MidjourneyRun.open(settings)` takes the connections from the service profiles the settings name
(`discord_service`, and `discord_bot_service` for a bot reader) through the dialect, says what the
run will spend and refuses (before any request) when a guard does not hold; then the check
functions of `_checks` drive it step by step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from .. import connect
from ._client import OnUpdate
from ._config import MidjourneySettings, guard_spend
from ._dialect import DiscordDialect
from ._dialects import open_dialect
from ._display import report_table, thumbnails
from ._errors import MidjourneyError
from ._report import RunReport
from ._rest import Command
from ._sync_client import SyncClient

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


@dataclass
class MidjourneyRun:
    settings: MidjourneySettings
    client: SyncClient
    user: dict[str, Any] | None = None
    command: Command | None = None
    report: RunReport | None = None

    @classmethod
    def open(
        cls,
        settings: MidjourneySettings,
        *,
        say: Callable[[str], None] = print,
        env: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        connector: Callable[..., Any] | None = None,
    ) -> MidjourneyRun:
        """Open the connections, guard the spend, then open the client."""
        dialect = dialect_of(settings)
        guard_spend(
            mode=settings.mode,
            jobs=settings.jobs,
            max_jobs=settings.max_jobs,
            allow_spend=settings.allow_spend,
            api_url=dialect.sender.base_url,
            channel_id=settings.channel_id,
            env=env,
            say=say,
        )
        client = SyncClient(settings, dialect, transport=transport, connector=connector)
        return cls(settings, client)

    @property
    def evidence(self) -> Path:
        return self.settings.evidence_dir

    def validate_token(self) -> dict[str, Any]:
        """The user (and the reader bot, with two identities): GET /users/@me as each."""
        self.user = self.client.validate_token()
        return self.user

    @property
    def reader_user(self) -> dict[str, Any] | None:
        return self.client.client.reader_user

    @property
    def dialect(self) -> DiscordDialect:
        return self.client.dialect

    def resolve_command(self, name: str = "imagine") -> Command:
        self.command = self.client.resolve_command(name)
        return self.command

    def run_jobs(self, on_update: OnUpdate | None = None) -> RunReport:
        """Submit, watch, correlate, upscale, download and store every job; never raises for a job.
        The client is closed afterwards and `summary.json` written to the evidence folder."""
        try:
            self.report = self.client.run(self.settings.jobs, on_update=on_update)
        finally:
            self.client.close()
        self.report.write_summary(self.evidence)
        return self.report

    def require_report(self) -> RunReport:
        if self.report is None:
            raise MidjourneyError("the jobs have not run: call run.run_jobs() first")
        return self.report

    def table(self) -> pd.DataFrame:
        """One row per job."""
        return report_table(self.require_report())

    def thumbnails(self) -> Figure:
        """Each job's grid beside its upscale (a failed job shows its reason)."""
        return thumbnails(self.require_report())

    def summary_line(self) -> str:
        report = self.require_report()
        states = [state for _, state in report.watch_log]
        return (
            f"{len(report.succeeded)}/{len(report.jobs)} jobs stored in {report.elapsed_s:.1f} s; "
            f"{report.rest_calls_total} REST calls, {report.rate_limited} answered 429; watcher: {states}"
        )


def dialect_of(settings: MidjourneySettings) -> DiscordDialect:
    """The dialect over the profiles the settings name ("" dialect: the user profile's `dialect:`,
    else bot-reader when a bot profile is named, else user-token)."""
    user = connect.profile(settings.services, settings.discord_service)
    bot = connect.profile(settings.services, settings.discord_bot_service) if settings.discord_bot_service else None
    return open_dialect(settings.dialect or user.dialect, user, bot, settings.dialect_options)
