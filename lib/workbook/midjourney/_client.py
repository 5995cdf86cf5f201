"""The client: validate the identities, resolve /imagine, then run a batch of jobs to a report.

`MidjourneyClient` is the async core (tests drive it with an injected transport / gateway
connector). It owns the run-wide parts — the REST clients of the dialect's identities (the sender
of interactions, the reader of the channel: one and the same with the user-token dialect), the
watcher (gateway, polling fallback), the correlator — while each job's own flow lives in
`_job_flow` and the report is assembled in `_report`. `_sync_client.SyncClient` drives it from
notebook cells.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx

from ..connect import ServiceProfile
from ._config import JobSpec, RunConfig
from ._correlate import Correlator
from ._dialect import DiscordDialect
from ._errors import DiscordConfigError, MidjourneyError
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
        dialect: DiscordDialect,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        connector: Callable[..., Any] | None = None,
        on_update: OnUpdate | None = None,
    ) -> None:
        self.config = config
        self.dialect = dialect
        limiter = RateLimiter(invalid_budget=config.invalid_request_budget)

        def rest_of(profile: ServiceProfile) -> DiscordRest:
            return DiscordRest(
                profile,
                routes=dialect.options.routes,
                transport=transport,
                limiter=limiter,  # one invalid-request budget for the run (it is per IP on Discord)
                max_retries=config.max_retries,
                max_rate_limit_retries=config.max_rate_limit_retries,
            )

        self.rest = rest_of(dialect.sender)
        self.reader = self.rest if dialect.reader is dialect.sender else rest_of(dialect.reader)
        self._connector = connector
        config.evidence_dir.mkdir(parents=True, exist_ok=True)
        self.on_update = on_update
        self.user: dict[str, Any] | None = None
        self.reader_user: dict[str, Any] | None = None
        self.command: Command | None = None
        self.correlator = Correlator(config.channel_id, config.application_id, clock_skew_s=config.clock_skew_s)
        self.first_seen: dict[str, float] = {}
        self.control = RunControl(self._publish)
        self._fallback_session = secrets.token_hex(16)
        self._watcher: Watcher | None = None
        self._ran = False

    def __repr__(self) -> str:
        return f"MidjourneyClient({self.rest.api_url!r}, dialect={self.dialect.name!r})"

    @property
    def rests(self) -> list[DiscordRest]:
        return [self.rest] if self.reader is self.rest else [self.rest, self.reader]

    async def aclose(self) -> None:
        for rest in self.rests:
            await rest.aclose()

    # -- steps --

    async def validate_token(self) -> dict[str, Any]:
        """GET /users/@me as the user (and, with a bot reader, as the bot); raises DiscordAuthError
        for a rejected credential and DiscordConfigError when an identity is the wrong kind."""
        user = await self.rest.me()
        if user.get("bot"):
            raise DiscordConfigError(
                f"service profile {self.dialect.sender.name!r} sends interactions but its token is a bot's "
                f"({user.get('username')!r}); interactions need the user's token"
            )
        if self.reader is not self.rest:
            reader = await self.reader.me()
            if not reader.get("bot"):
                raise DiscordConfigError(
                    f"dialect 'bot-reader': service profile {self.dialect.reader.name!r} authenticated as a user, "
                    'not a bot; give it the bot\'s token (auth prefix "Bot ")'
                )
            self.reader_user = reader
        self.user = user
        self.correlator.user_id = str(user.get("id") or "") or None
        return user

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
                stored[job.key] = record_job(self.config.evidence_dir, job, extra_secrets=self.dialect.secrets())
            self._publish()
            return self._report(jobs, stored, None, started)
        watcher = await self._start_watcher()
        flow = JobFlow(
            RunContext(self.config, self.rest, self.correlator, command, self.dialect.secrets(), self._session_id),
            self.control,
        )
        try:
            results = await asyncio.gather(*(asyncio.create_task(flow.run(job), name=job.key) for job in jobs))
        finally:
            await watcher.stop()
        self._publish()
        return self._report(jobs, dict(zip((j.key for j in jobs), results, strict=True)), watcher, started)

    async def _start_watcher(self) -> Watcher:
        watch, gateway_url = self.config.watch, self.dialect.reader.ws_url
        if watch == "gateway" and not gateway_url:
            try:
                gateway_url = await self.reader.gateway_url()
            except RUN_STOPPERS as error:
                self.control.fatal(error)
                watch = "poll"
            except MidjourneyError:
                watch = "poll"  # no gateway address: poll the channel instead
        watcher = Watcher(
            self.reader,
            channel_id=self.config.channel_id,
            watch=watch,
            gateway_url=gateway_url,
            token=self.dialect.gateway_token(),
            poll_interval_s=self.config.poll_interval_s,
            connect_timeout_s=self.config.gateway_connect_timeout_s,
            after=self._oldest_active_id,
            handle=self._on_event,
            fatal=self.control.fatal,
            connector=self._connector,
            identify=self.dialect.identify,
            # The Gateway authenticates by IDENTIFY, never by a header on the handshake.
            connect_kwargs=self.dialect.reader.without_auth().ws_connect_kwargs(gateway_url) if gateway_url else {},
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
            rests=self.rests,
            correlator=self.correlator,
            watcher=watcher,
            watch=self.config.watch,
            started_at=started,
            stop_reason=self.control.stop_reason,
            stop_kind=self.control.stop_kind,
        )

    # -- plumbing --

    def _session_id(self) -> str:
        watcher = self._watcher
        gateway = watcher.session_id if watcher is not None else None
        return self.dialect.interaction_session(gateway) or self._fallback_session

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
