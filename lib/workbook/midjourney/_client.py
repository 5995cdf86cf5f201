"""The client: validate the token, resolve /imagine, then run a batch of jobs to a report.

`MidjourneyClient` is the async core (tests drive it with an injected transport / gateway
connector). It owns the run-wide parts — REST client, watcher (gateway, polling fallback),
correlator — while each job's own flow lives in `_job_flow` and the report is assembled in
`_report`. `_sync_client.SyncClient` drives it from notebook cells.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx

from ._config import JobSpec, RunConfig
from ._correlate import Correlator
from ._errors import MidjourneyError
from ._job_flow import RUN_STOPPERS, JobFlow, RunContext, RunControl, failure_kind
from ._jobstate import JobState
from ._ratelimit import RateLimiter
from ._report import RunReport, build_report
from ._rest import Command, DiscordRest
from ._storage import StoredJob, record_job
from ._watch import Watcher

Snapshot = list[dict[str, Any]]
OnUpdate = Callable[[Snapshot], None]


class MidjourneyClient:
    def __init__(
        self,
        config: RunConfig,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        connector: Callable[..., Any] | None = None,
        on_update: OnUpdate | None = None,
    ) -> None:
        self.config = config
        self._token = token
        self.rest = DiscordRest(
            config.api_url,
            token,
            transport=transport,
            limiter=RateLimiter(invalid_budget=config.invalid_request_budget),
            max_retries=config.max_retries,
            max_rate_limit_retries=config.max_rate_limit_retries,
        )
        self._connector = connector
        config.evidence_dir.mkdir(parents=True, exist_ok=True)
        self.on_update = on_update
        self.user: dict[str, Any] | None = None
        self.command: Command | None = None
        self.correlator = Correlator(config.channel_id, config.application_id, clock_skew_s=config.clock_skew_s)
        self.first_seen: dict[str, float] = {}
        self.control = RunControl(self._publish)
        self._fallback_session = secrets.token_hex(16)
        self._watcher: Watcher | None = None
        self._ran = False

    def __repr__(self) -> str:
        return f"MidjourneyClient({self.config.api_url!r}, token=***)"

    async def aclose(self) -> None:
        await self.rest.aclose()

    # -- steps --

    async def validate_token(self) -> dict[str, Any]:
        """GET /users/@me; raises DiscordAuthError for a rejected token."""
        self.user = await self.rest.me()
        self.correlator.user_id = str(self.user.get("id") or "") or None
        return self.user

    async def resolve_command(self, name: str = "imagine") -> Command:
        self.command = await self.rest.find_command(self.config.guild_id, self.config.application_id, name)
        return self.command

    async def run(self, specs: list[JobSpec]) -> RunReport:
        """Run every job to a stored result or a failure with its reason."""
        if self._ran:
            raise MidjourneyError("a client runs one batch of jobs; open a new client for another run")
        self._ran = True
        started = time.time()
        jobs = [
            self.correlator.add(JobState(f"job{i + 1:02d}", spec.prompt, spec.upscale_index))
            for i, spec in enumerate(specs)
        ]
        try:
            if self.user is None:
                await self.validate_token()
            command = self.command or await self.resolve_command()
        except MidjourneyError as error:
            # Nothing can be submitted: every job fails with the same, named reason.
            self.control.fatal(error)
            stored: dict[str, StoredJob] = {}
            for job in jobs:
                job.fail(failure_kind(error), f"not submitted: {self.control.stop_reason}")
                stored[job.key] = record_job(self.config.evidence_dir, job, extra_secrets={self._token})
            self._publish()
            return self._report(jobs, stored, None, started)
        watcher = await self._start_watcher()
        flow = JobFlow(
            RunContext(self.config, self.rest, self.correlator, command, self._token, self._session_id), self.control
        )
        try:
            results = await asyncio.gather(*(asyncio.create_task(flow.run(job), name=job.key) for job in jobs))
        finally:
            await watcher.stop()
        self._publish()
        return self._report(jobs, dict(zip((j.key for j in jobs), results, strict=True)), watcher, started)

    async def _start_watcher(self) -> Watcher:
        watch, gateway_url = self.config.watch, self.config.gateway_url
        if watch == "gateway" and not gateway_url:
            try:
                gateway_url = await self.rest.gateway_url()
            except RUN_STOPPERS as error:
                self.control.fatal(error)
                watch = "poll"
            except MidjourneyError:
                watch = "poll"  # no gateway address: poll the channel instead
        watcher = Watcher(
            self.rest,
            channel_id=self.config.channel_id,
            watch=watch,
            gateway_url=gateway_url,
            token=self._token,
            poll_interval_s=self.config.poll_interval_s,
            connect_timeout_s=self.config.gateway_connect_timeout_s,
            after=self._oldest_active_id,
            handle=self._on_event,
            fatal=self.control.fatal,
            connector=self._connector,
        )
        self._watcher = watcher
        await watcher.start()
        return watcher

    def _report(
        self, jobs: list[JobState], stored: dict[str, StoredJob], watcher: Watcher | None, started: float
    ) -> RunReport:
        return build_report(
            jobs,
            stored,
            rest=self.rest,
            correlator=self.correlator,
            watcher=watcher,
            watch=self.config.watch,
            started_at=started,
            stop_reason=self.control.stop_reason,
        )

    # -- plumbing --

    def _session_id(self) -> str:
        watcher = self._watcher
        return (watcher.session_id if watcher is not None else None) or self._fallback_session

    def _oldest_active_id(self) -> int | None:
        ids = [j.min_id for j in self.correlator.jobs.values() if j.active]
        return min(ids) if ids else None

    def _on_event(self, name: str, data: dict[str, Any], received: float, source: str) -> None:
        if name == "MESSAGE_CREATE" and data.get("id"):
            self.first_seen.setdefault(str(data["id"]), received)
        if self.correlator.handle(name, data, received):
            self.control.changed()

    def _publish(self) -> None:
        if self.on_update is not None:
            self.on_update(self.snapshot())

    def snapshot(self) -> Snapshot:
        return [
            {
                "job": j.key,
                "prompt": j.prompt if len(j.prompt) <= 40 else j.prompt[:39] + "…",
                "phase": j.phase.value,
                "progress": f"{j.percent}%" if j.percent is not None else "",
                "mode": j.mode or "",
                "hash": (j.job_hash or "")[:8],
                "grid": j.grid_message_id or "",
                "upscale": j.upscale_message_id or "",
                "reason": j.failure or "",
            }
            for j in self.correlator.jobs.values()
        ]
