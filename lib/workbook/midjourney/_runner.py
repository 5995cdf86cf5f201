"""The job runner: validate the token, resolve /imagine, submit, watch, correlate, upscale, store.

`MidjourneyClient` is the async core (tests drive it with an injected transport / gateway
connector); `_session.Session` wraps it for notebooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx

from ._config import JobSpec, RunConfig
from ._correlate import Correlator, JobState, Phase
from ._errors import (
    DiscordAuthError,
    InvalidRequestBudgetError,
    MidjourneyError,
    StaleCommandVersionError,
)
from ._parse import button_custom_id, job_hash, reference_id_of, upscale_index_in
from ._payloads import button_payload, imagine_payload
from ._ratelimit import RateLimiter
from ._report import JobResult, RunReport
from ._rest import Command, DiscordRest, new_nonce
from ._storage import StoredImage, first_attachment, job_metadata, save_image, write_metadata
from ._watch import Watcher

# Errors after which no further job may be submitted: the same call would fail the same way.
RUN_STOPPERS = (DiscordAuthError, InvalidRequestBudgetError, StaleCommandVersionError)

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
        self._stop_reason: str | None = None
        self._stop_kind = "not_submitted"
        self._tick = asyncio.Event()
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
            raise MidjourneyError("a client runs one batch of jobs; open a new Session for another run")
        self._ran = True
        started = time.time()
        jobs = [
            self.correlator.add(JobState(f"job{i + 1:02d}", spec.prompt, spec.upscale_index))
            for i, spec in enumerate(specs)
        ]
        stored: dict[str, tuple[StoredImage | None, StoredImage | None, str | None]] = {}
        try:
            if self.user is None:
                await self.validate_token()
            if self.command is None:
                await self.resolve_command()
        except MidjourneyError as error:
            # Nothing can be submitted: every job fails with the same, named reason.
            self._fatal(error)
            for job in jobs:
                job.fail(_kind(error), f"not submitted: {self._stop_reason}")
                path = write_metadata(self.config.evidence_dir, job, job_metadata(job, None, None), {self._token})
                stored[job.key] = (None, None, path.name)
            self._publish()
            return self._report(jobs, stored, None, started)
        watch, gateway_url = self.config.watch, self.config.gateway_url
        if watch == "gateway" and not gateway_url:
            try:
                gateway_url = await self.rest.gateway_url()
            except RUN_STOPPERS as error:
                self._fatal(error)
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
            fatal=self._fatal,
            connector=self._connector,
        )
        self._watcher = watcher
        await watcher.start()
        semaphore = asyncio.Semaphore(self.config.concurrency)
        interaction_lock = asyncio.Lock()
        try:
            tasks = [
                asyncio.create_task(self._job(job, semaphore, interaction_lock, stored), name=job.key) for job in jobs
            ]
            await asyncio.gather(*tasks)
        finally:
            await watcher.stop()
        self._publish()
        return self._report(jobs, stored, watcher, started)

    # -- one job --

    async def _job(
        self,
        job: JobState,
        semaphore: asyncio.Semaphore,
        interaction_lock: asyncio.Lock,
        stored: dict[str, tuple[StoredImage | None, StoredImage | None, str | None]],
    ) -> None:
        grid_image = upscale_image = None
        try:
            async with semaphore:
                if self._stop_reason:
                    job.fail(self._stop_kind, f"not submitted: {self._stop_reason}")
                    return
                await self._submit_imagine(job, interaction_lock)
                if job.phase is Phase.FAILED:
                    return
                loop = asyncio.get_running_loop()
                deadline = loop.time() + self.config.job_timeout_s
                await self._wait(lambda: job.grid is not None or job.phase is Phase.FAILED, deadline, job)
                if job.phase is Phase.FAILED:
                    return
                if job.grid is None:
                    job.fail("timeout", self._timeout_reason(job, "grid", self.config.job_timeout_s))
                    return
                await self._press_upscale(job, interaction_lock)
                if job.phase is Phase.FAILED:
                    return
                deadline = loop.time() + self.config.upscale_timeout_s
                await self._wait(lambda: job.upscale is not None or job.phase is Phase.FAILED, deadline, job)
                if job.phase is Phase.FAILED:
                    return
                if job.upscale is None:
                    job.fail(
                        "timeout",
                        f"no upscale U{job.upscale_index} after {self.config.upscale_timeout_s:.0f} s",
                    )
                    return
            grid_image, upscale_image = await self._download(job)
            job.phase = Phase.STORED
        except RUN_STOPPERS as error:
            self._fatal(error)
            job.fail(_kind(error), str(error))
        except MidjourneyError as error:
            job.fail(_kind(error), str(error))
        except (ValueError, OSError) as error:  # undecodable image, disk trouble
            job.fail("storage", f"{type(error).__name__}: {error}")
        except Exception as error:  # one job's unexpected error is reported as its failure, not fatal to the run
            job.fail("internal_error", f"{type(error).__name__}: {error}")
        finally:
            meta = job_metadata(job, grid_image, upscale_image)
            path = write_metadata(self.config.evidence_dir, job, meta, {self._token})
            stored[job.key] = (grid_image, upscale_image, path.name)
            self._changed()

    async def _submit_imagine(self, job: JobState, lock: asyncio.Lock) -> None:
        assert self.command is not None
        command = self.command
        async with lock:
            if self._stop_reason:
                job.fail(self._stop_kind, f"not submitted: {self._stop_reason}")
                return
            await self._gap()
            nonce = new_nonce()
            self.correlator.submitted(job, nonce, time.time())
            self._changed()
            await self._interact(
                imagine_payload(
                    application_id=self.config.application_id,
                    guild_id=self.config.guild_id,
                    channel_id=self.config.channel_id,
                    session_id=self._session_id(),
                    nonce=nonce,
                    command=command,
                    prompt=job.prompt,
                )
            )

    async def _press_upscale(self, job: JobState, lock: asyncio.Lock) -> None:
        grid = job.grid
        assert grid is not None
        if button_custom_id(grid, "upsample", job.upscale_index) is None:
            job.fail("no_button", f"grid message {grid.get('id')} has no U{job.upscale_index} button")
            return
        async with lock:
            if self._stop_reason:
                job.fail(self._stop_kind, f"upscale not pressed: {self._stop_reason}")
                return
            await self._gap()
            nonce = new_nonce()
            self.correlator.upscale_submitted(job, nonce, time.time())
            self._changed()
            await self._interact(
                button_payload(
                    application_id=self.config.application_id,
                    guild_id=self.config.guild_id,
                    channel_id=self.config.channel_id,
                    session_id=self._session_id(),
                    nonce=nonce,
                    message=grid,
                    button=f"U{job.upscale_index}",
                )
            )

    async def _interact(self, payload: dict[str, Any]) -> None:
        try:
            await self.rest.interact(payload)
        except RUN_STOPPERS as error:
            # Stop the run before the interaction lock is released, so no other job sends the same
            # doomed request.
            self._fatal(error)
            raise

    async def _download(self, job: JobState) -> tuple[StoredImage, StoredImage]:
        assert job.grid is not None and job.upscale is not None
        folder = self.config.evidence_dir
        grid_attachment = first_attachment(job.grid)
        upscale_attachment = first_attachment(job.upscale)
        grid_bytes, upscale_bytes = await asyncio.gather(
            self.rest.download(str(grid_attachment["url"])),
            self.rest.download(str(upscale_attachment["url"])),
        )
        # Decoding a 2048² PNG takes tens of ms: off the event loop, so gateway events are not delayed.
        grid = await asyncio.to_thread(save_image, grid_bytes, folder, f"{job.key}_grid", grid_attachment)
        upscale = await asyncio.to_thread(
            save_image, upscale_bytes, folder, f"{job.key}_upscale_U{job.upscale_index}", upscale_attachment
        )
        return grid, upscale

    async def _gap(self) -> None:
        # Live Discord throttles interactions per user; the gap spaces them (0 in the sandbox).
        if self.config.interaction_gap_s > 0:
            await asyncio.sleep(self.config.interaction_gap_s)

    async def _wait(self, done: Callable[[], bool], deadline: float, job: JobState) -> None:
        loop = asyncio.get_running_loop()
        grace = self.config.deleted_grace_s
        while not done():
            if self._stop_reason and job.phase is not Phase.FAILED:
                job.fail(self._stop_kind, f"run stopped: {self._stop_reason}")
                return
            remaining = deadline - loop.time()
            if job.grid is None and job.progress_deleted_at is not None:
                left = job.progress_deleted_at + grace - time.time()
                if left <= 0:
                    job.fail(
                        "deleted",
                        f"the progress message was deleted at {job.percent or 0}% and no final followed "
                        f"within {grace:g} s (moderated?)",
                    )
                    return
                remaining = min(remaining, left)
            if remaining <= 0:
                return
            tick = self._tick
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(tick.wait(), remaining)

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
            self._changed()

    def _fatal(self, error: BaseException) -> None:
        if self._stop_reason is None:
            self._stop_reason = f"{type(error).__name__}: {error}"
            self._stop_kind = _kind(error)
            self._changed()

    def _changed(self) -> None:
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()
        self._publish()

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

    def _timeout_reason(self, job: JobState, what: str, seconds: float) -> str:
        last = f"last phase {job.phase.value}" + (f" at {job.percent}%" if job.percent is not None else "")
        if job.progress_deleted_at is not None:
            last += "; its progress message was deleted (moderated?)"
        return f"no {what} after {seconds:.0f} s ({last})"

    def _report(
        self,
        jobs: list[JobState],
        stored: dict[str, tuple[StoredImage | None, StoredImage | None, str | None]],
        watcher: Watcher | None,
        started: float,
    ) -> RunReport:
        results = []
        for job in jobs:
            grid_image, upscale_image, metadata_file = stored.get(job.key, (None, None, None))
            upscale_text = str((job.upscale or {}).get("content") or "")
            results.append(
                JobResult(
                    key=job.key,
                    prompt=job.prompt,
                    upscale_index=job.upscale_index,
                    status="stored" if job.phase is Phase.STORED else "failed",
                    failure_kind=job.failure_kind,
                    failure=job.failure,
                    nonce=job.nonce,
                    interaction_id=job.interaction_id,
                    job_hash=job.job_hash,
                    mode=job.mode,
                    prompt_echoed=job.prompt_echoed,
                    progress_message_id=job.progress_message_id,
                    queued_message_id=job.queued_message_id,
                    grid_message_id=job.grid_message_id,
                    grid_hash=job_hash(job.grid) if job.grid else None,
                    grid_match=job.grid_match,
                    upscale_nonce=job.upscale_nonce,
                    upscale_message_id=job.upscale_message_id,
                    upscale_reference=reference_id_of(job.upscale) if job.upscale else None,
                    upscale_index_echoed=upscale_index_in(upscale_text) if job.upscale else None,
                    upscale_match=job.upscale_match,
                    submitted_at=job.submitted_at,
                    grid_received_at=job.grid_received_at,
                    upscale_received_at=job.upscale_received_at,
                    grid=grid_image,
                    upscale=upscale_image,
                    metadata_file=metadata_file,
                    ambiguous=tuple(job.ambiguous),
                )
            )
        limiter = self.rest.limiter
        return RunReport(
            jobs=results,
            rest_calls=dict(self.rest.calls),
            downloads=self.rest.downloads,
            rate_limited=limiter.rate_limited_total,
            invalid_requests=limiter.invalid_total,
            retries=self.rest.retries,
            status_counts=dict(self.rest.status_counts),
            watch=self.config.watch,
            watch_log=list(watcher.log) if watcher else [],
            gateway=watcher.gateway_stats() if watcher else {"used": False},
            polls=watcher.poller.polls if watcher else 0,
            ignored_old_messages=self.correlator.ignored_old,
            foreign_ignored=self.correlator.foreign_ignored,
            unmatched_messages=list(self.correlator.unmatched),
            match_keys=dict(self.correlator.match_keys),
            started_at=started,
            elapsed_s=time.time() - started,
            stop_reason=self._stop_reason,
        )


def _kind(error: BaseException) -> str:
    if isinstance(error, DiscordAuthError):
        return "bad_token"
    if isinstance(error, StaleCommandVersionError):
        return "stale_command_version"
    if isinstance(error, InvalidRequestBudgetError):
        return "invalid_request_budget"
    return type(error).__name__
