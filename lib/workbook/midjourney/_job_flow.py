"""One job's flow: submit /imagine, wait for its grid, press its U button, wait for the upscale,
download both and write the job's metadata. Never raises for the job: every failure becomes the
job's failure with a reason. `RunControl` is what all jobs of a run share: the run-wide stop (a
rejected token, a stale command, the invalid-request budget) and the "something changed" signal
the jobs wait on."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._config import RunConfig
from ._correlate import Correlator
from ._errors import (
    DiscordAuthError,
    GatewayError,
    InvalidRequestBudgetError,
    MidjourneyError,
    StaleCommandVersionError,
)
from ._jobstate import JobState, Phase
from ._parse import button_custom_id
from ._payloads import button_payload, imagine_payload
from ._rest import Command, DiscordRest, new_nonce
from ._storage import StoredImage, StoredJob, first_attachment, record_job, save_image

# A "Slow Down!" names a whole second; press a little after it.
RETRY_MARGIN_S = 0.25
# Presses of one U button at most (the first and the retries a "Slow Down!" asked for).
MAX_PRESSES = 4
# Errors after which no further job may be submitted: the same call would fail the same way.
RUN_STOPPERS = (DiscordAuthError, InvalidRequestBudgetError, StaleCommandVersionError)


def failure_kind(error: BaseException) -> str:
    if isinstance(error, DiscordAuthError):
        return "bad_token"
    if isinstance(error, StaleCommandVersionError):
        return "stale_command_version"
    if isinstance(error, InvalidRequestBudgetError):
        return "invalid_request_budget"
    if isinstance(error, GatewayError) and error.fatal:
        return "gateway_refused" if error.close_code != 4004 else "bad_token"
    return type(error).__name__


class RunControl:
    def __init__(self, on_change: Callable[[], None]) -> None:
        self.stop_reason: str | None = None
        self.stop_kind = "not_submitted"
        self._on_change = on_change
        self._tick = asyncio.Event()

    def fatal(self, error: BaseException) -> None:
        """Stop the run: nothing more is submitted; waiting jobs fail with this reason."""
        if self.stop_reason is None:
            self.stop_reason = f"{type(error).__name__}: {error}"
            self.stop_kind = failure_kind(error)
            self.changed()

    def changed(self) -> None:
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()
        self._on_change()

    async def next_change(self, timeout_s: float) -> None:
        tick = self._tick
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tick.wait(), timeout_s)


@dataclass(frozen=True)
class RunContext:
    """What every job's flow of one run shares."""

    config: RunConfig
    rest: DiscordRest
    correlator: Correlator
    command: Command
    secrets: set[str]  # every credential the run sends: scrubbed from the job's metadata
    session_id: Callable[[], str]


class JobFlow:
    def __init__(self, context: RunContext, control: RunControl) -> None:
        self.context = context
        self.control = control
        config = context.config
        self._slots = asyncio.Semaphore(config.concurrency)
        # Interactions go out one at a time (and, live, spaced by interaction_gap_s).
        self._interaction_lock = asyncio.Lock()

    async def run(self, job: JobState) -> StoredJob:
        """Run the job to a stored result or a failure with its reason; its metadata is always written."""
        images: tuple[StoredImage | None, StoredImage | None] = (None, None)
        try:
            images = await self._run(job)
        except RUN_STOPPERS as error:
            self.control.fatal(error)
            job.fail(failure_kind(error), str(error))
        except MidjourneyError as error:
            job.fail(failure_kind(error), str(error))
        except (ValueError, OSError) as error:  # undecodable image, disk trouble
            job.fail("storage", f"{type(error).__name__}: {error}")
        except Exception as error:  # one job's unexpected error is reported as its failure, not fatal to the run
            job.fail("internal_error", f"{type(error).__name__}: {error}")
        finally:
            self.control.changed()
        return record_job(self.context.config.evidence_dir, job, *images, extra_secrets=self.context.secrets)

    async def _run(self, job: JobState) -> tuple[StoredImage | None, StoredImage | None]:
        config = self.context.config
        nothing = (None, None)
        async with self._slots:
            if self.control.stop_reason:
                job.fail(self.control.stop_kind, f"not submitted: {self.control.stop_reason}")
                return nothing
            await self._submit_imagine(job)
            if job.phase is Phase.FAILED:
                return nothing
            loop = asyncio.get_running_loop()
            await self._wait(job, lambda: job.grid is not None, loop.time() + config.job_timeout_s)
            if job.phase is Phase.FAILED:
                return nothing
            if job.grid is None:
                job.fail("timeout", self._timeout_reason(job, "grid", config.job_timeout_s))
                return nothing
            if not await self._upscale(job, loop.time() + config.upscale_timeout_s):
                return nothing
        grid_image, upscale_image = await self._download(job)
        job.phase = Phase.STORED
        return grid_image, upscale_image

    async def _upscale(self, job: JobState, deadline: float) -> bool:
        """Press the job's U button and wait for the result; a "Slow Down!" is waited out and the
        button pressed again while the deadline allows. True when the upscale arrived."""
        loop = asyncio.get_running_loop()
        timeout_s = self.context.config.upscale_timeout_s
        for _ in range(MAX_PRESSES):
            await self._press_upscale(job)
            if job.phase is Phase.FAILED:
                return False
            await self._wait(job, lambda: job.upscale is not None or job.upscale_retry_at is not None, deadline)
            if job.phase is Phase.FAILED:
                return False
            if job.upscale is not None:
                return True
            if job.upscale_retry_at is None:
                break
            wait_s = job.upscale_retry_at - time.time() + RETRY_MARGIN_S
            if loop.time() + wait_s >= deadline:
                job.fail(
                    "slow_down",
                    f"Midjourney asked to press U{job.upscale_index} again in {wait_s:.0f} s, after the "
                    f"{timeout_s:.0f} s upscale deadline",
                )
                return False
            await asyncio.sleep(max(0.0, wait_s))
        if job.upscale_retry_at is not None:
            job.fail(
                "slow_down", f"still told to slow down after {job.upscale_presses} presses of U{job.upscale_index}"
            )
        else:
            job.fail("timeout", f"no upscale U{job.upscale_index} after {timeout_s:.0f} s")
        return False

    async def _submit_imagine(self, job: JobState) -> None:
        ctx = self.context
        await self._send(
            job,
            "not submitted",
            lambda nonce: ctx.correlator.submitted(job, nonce, time.time()),
            lambda ids: imagine_payload(**ids, command=ctx.command, prompt=job.prompt),
        )

    async def _press_upscale(self, job: JobState) -> None:
        ctx = self.context
        grid = job.grid
        assert grid is not None
        if button_custom_id(grid, "upsample", job.upscale_index) is None:
            job.fail("no_button", f"grid message {grid.get('id')} has no U{job.upscale_index} button")
            return
        await self._send(
            job,
            "upscale not pressed",
            lambda nonce: ctx.correlator.upscale_submitted(job, nonce, time.time()),
            lambda ids: button_payload(**ids, message=grid, button=f"U{job.upscale_index}"),
        )

    async def _send(
        self,
        job: JobState,
        refused: str,
        record: Callable[[str], None],
        payload: Callable[[dict[str, str]], dict[str, Any]],
    ) -> None:
        """One interaction at a time: with a fresh nonce recorded on the job before it is sent."""
        config = self.context.config
        async with self._interaction_lock:
            if self.control.stop_reason:
                job.fail(self.control.stop_kind, f"{refused}: {self.control.stop_reason}")
                return
            await self._gap()
            nonce = new_nonce()
            record(nonce)
            self.control.changed()
            ids = {
                "application_id": config.application_id,
                "guild_id": config.guild_id,
                "channel_id": config.channel_id,
                "session_id": self.context.session_id(),
                "nonce": nonce,
            }
            await self._interact(payload(ids))

    async def _interact(self, payload: dict[str, Any]) -> None:
        try:
            await self.context.rest.interact(payload)
        except RUN_STOPPERS as error:
            # Stop the run before the interaction lock is released, so no other job sends the same
            # doomed request.
            self.control.fatal(error)
            raise

    async def _download(self, job: JobState) -> tuple[StoredImage, StoredImage]:
        assert job.grid is not None and job.upscale is not None
        rest, folder = self.context.rest, self.context.config.evidence_dir
        grid_attachment = first_attachment(job.grid)
        upscale_attachment = first_attachment(job.upscale)
        grid_bytes, upscale_bytes = await asyncio.gather(
            rest.download(str(grid_attachment["url"])),
            rest.download(str(upscale_attachment["url"])),
        )
        # Decoding a 2048² image takes tens of ms: off the event loop, so gateway events are not delayed.
        grid = await asyncio.to_thread(save_image, grid_bytes, folder, f"{job.key}_grid", grid_attachment)
        upscale = await asyncio.to_thread(
            save_image, upscale_bytes, folder, f"{job.key}_upscale_U{job.upscale_index}", upscale_attachment
        )
        return grid, upscale

    async def _gap(self) -> None:
        # Live Discord throttles interactions per user; the gap spaces them (0 in the sandbox).
        gap = self.context.config.interaction_gap_s
        if gap > 0:
            await asyncio.sleep(gap)

    async def _wait(self, job: JobState, done: Callable[[], bool], deadline: float) -> None:
        """Until `done()`, the job failed, the run stopped, or the deadline passed."""
        loop = asyncio.get_running_loop()
        grace = self.context.config.deleted_grace_s
        while not done() and job.phase is not Phase.FAILED:
            if self.control.stop_reason:
                job.fail(self.control.stop_kind, f"run stopped: {self.control.stop_reason}")
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
            await self.control.next_change(remaining)

    @staticmethod
    def _timeout_reason(job: JobState, what: str, seconds: float) -> str:
        last = f"last phase {job.phase.value}" + (f" at {job.percent}%" if job.percent is not None else "")
        if job.progress_deleted_at is not None:
            last += "; its progress message was deleted (moderated?)"
        return f"no {what} after {seconds:.0f} s ({last})"
