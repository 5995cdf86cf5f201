"""The job flow: /imagine (and rerolls, variations) from admission to the final grid, and upscales.

Per job (reference notes §3.1): INTERACTION_CREATE + INTERACTION_SUCCESS, a "(Waiting to start)"
message carrying the nonce, progress edits "(N%) (fast)" with a WebP preview `<hash>_grid_0.webp`,
deletion of that message, and a NEW final grid message whose U/V/🔄 buttons carry the job hash.
The scheduler limits running jobs (3) and waiting jobs (10); prompt markers and invalid
parameters produce the error embeds of §3.7.
"""

from __future__ import annotations

import time
import uuid

from . import _images, _messages
from ._bot_faults import FaultBehaviours
from ._botcore import BotCore, Job
from ._config import PROGRESS_LADDER
from ._prompt import check_prompt, filename_slug, find_marker, image_size
from ._replies import upscale_message
from ._scheduler import Admission
from ._stale import StaleHistory
from ._texts import ERROR_EMBEDS, QUEUE_FULL_TEXT, QUEUED_TEXT


class JobFlow:
    def __init__(self, core: BotCore, faults: FaultBehaviours, stale: StaleHistory) -> None:
        self.core = core
        self.faults = faults
        self.stale = stale
        self.pending_appeals: dict[str, Job] = {}

    def reset(self) -> None:
        self.pending_appeals.clear()

    # -- /imagine ----------------------------------------------------------------------------------

    def imagine(self, prompt: str, interaction_id: str, nonce: str | None, session_id: str | None) -> None:
        core = self.core
        check = check_prompt(prompt, core.settings.suffix)
        job = core.add(
            Job(
                job_id=str(uuid.uuid4()),
                kind="imagine",
                prompt=prompt,
                echoed=check.echoed,
                parameters=check.parameters,
                mode=check.mode or core.settings.mode,
                interaction_id=interaction_id,
                interaction_type=2,
                nonce=nonce,
                session_id=session_id,
                submitted_at=time.time(),
                size=image_size(check.parameters, core.settings.image_base),
            )
        )
        core.obs.jobs["imagine"] += 1
        core.spawn(self._run_imagine(job, check.problem))

    async def _run_imagine(self, job: Job, problem: str | None) -> None:
        core = self.core
        await core.sleep(0.05)
        core.interaction_events(job)
        marker = find_marker(job.prompt)
        if problem is not None or marker == "invalid_parameter":
            self.error_reply(job, "invalid_parameter", problem or "Invalid value")
            return
        if marker == "failed":
            message = core.new_message(
                "Failed to process your command :(",
                job,
                nonce=job.nonce,
                message_type=_messages.CHAT_INPUT_COMMAND,
            )
            core.create(message, "error", job)
            job.status = "error:failed"
            return
        if marker == "action_needed":
            appeal = _messages.button(f"MJ::Prompts::Appeal::{job.job_id}", "Appeal", style=1)
            self.pending_appeals[job.job_id] = job
            self.error_reply(job, "action_needed", ephemeral=True, components=[{"type": 1, "components": [appeal]}])
            return
        if marker in ERROR_EMBEDS:
            self.error_reply(job, marker)
            return
        await self.generate(job)

    def error_reply(
        self,
        job: Job,
        kind: str,
        description: str | None = None,
        ephemeral: bool = False,
        components: list[_messages.Json] | None = None,
    ) -> None:
        title, default = ERROR_EMBEDS.get(kind, ("Invalid parameter", ""))
        self.core.notice(
            job, title, description or default, _messages.ERROR_COLOR, ephemeral=ephemeral, components=components
        )
        job.status = f"error:{kind}"
        self.core.obs.jobs[f"error:{kind}"] += 1

    # -- generation (imagine, reroll, variations) --------------------------------------------------

    async def generate(self, job: Job, nonce_on_start: bool = True) -> None:
        """Admission, progress messages, final grid."""
        core = self.core
        admission = core.scheduler.submit(job.job_id)
        if admission is Admission.FULL:
            core.notice(job, "Queue full", QUEUE_FULL_TEXT, _messages.ERROR_COLOR)
            job.status = "error:queue_full"
            core.obs.jobs["error:queue_full"] += 1
            return
        core.order.register(job.job_id, job.echoed)
        await core.order_notify()
        try:
            if admission is Admission.QUEUED:
                job.status = "queued"
                core.notice(job, "Job queued", QUEUED_TEXT, _messages.INFO_COLOR, kind="queued")
                await job.started.wait()
                nonce_on_start = False
            job.status = "running"
            if core.faults.on("stale_history"):
                await self.stale.seed(job.prompt, job.echoed, announce=True)
            await self._progress_and_finish(job, nonce_on_start)
        finally:
            core.release(job)
            core.order.mark_done(job.job_id)
            await core.order_notify()

    def _jitter(self, job: Job) -> float:
        # Deterministic per job: identical prompts submitted together may finish in either order.
        # Relax mode is slower and turbo faster than fast mode, as on Midjourney.
        speed = {"relaxed": 4.0, "turbo": 0.5}.get(job.mode, 1.0)
        return speed * (0.8 + (int(job.job_id[:4], 16) % 400) / 1000.0)

    async def _progress_and_finish(self, job: Job, nonce_on_start: bool) -> None:
        core = self.core
        timings = core.settings.timings
        jitter = self._jitter(job)
        await core.sleep(timings.start_s)
        waiting = core.new_message(
            core.content(job, "Waiting to start"),
            job,
            nonce=job.nonce if nonce_on_start else None,
            message_type=_messages.CHAT_INPUT_COMMAND,
        )
        core.create(waiting, "waiting", job)
        await core.sleep(timings.first_progress_s * jitter)
        for step, percent in enumerate(PROGRESS_LADDER):
            waiting["content"] = core.content(job, f"{percent}%") + f" ({job.mode})"
            if percent > 0:
                waiting["attachments"] = [
                    await core.emit.attachment(
                        "progress",
                        job.job_id,
                        percent,
                        _images.PROGRESS_SIZE,
                        _images.PROGRESS_SIZE,
                        f"{job.job_id}_grid_0.webp",
                    )
                ]
            core.update(waiting, "progress", job)
            if step == 0:
                self.faults.maybe_drop_gateway()
            if find_marker(job.prompt) == "moderated" and percent >= 62:
                waiting["content"] = core.content(job, "Stopped")
                core.update(waiting, "progress", job)
                await core.sleep(timings.delete_gap_s)
                core.delete(waiting, "moderated", job)
                job.status = "error:moderated"
                core.obs.jobs["error:moderated"] += 1
                return
            await core.sleep(timings.progress_step_s * jitter)
        width, height = job.size
        grid = await core.emit.attachment(
            "grid", job.job_id, 0, width, height, filename_slug(core.config.username, job.echoed, job.job_id)
        )
        await core.sleep(max(0.0, timings.finish_s - timings.progress_step_s) * jitter)
        # The GPU work is done: free the slot before any out_of_order hold so queued jobs can run.
        core.release(job)
        await self.faults.hold_for_order(job)
        core.delete(waiting, "progress_delete", job)
        await core.sleep(timings.delete_gap_s)
        final = core.new_message(
            core.content(job, job.mode),
            job,
            interaction=core.settings.final_interaction_metadata,
            attachments=[grid],
            components=_messages.grid_components(job.job_id),
        )
        core.create(final, "grid", job)
        job.status = "done"
        core.obs.jobs["done:" + job.kind] += 1

    # -- upscale -----------------------------------------------------------------------------------

    async def upscale(self, job: Job) -> None:
        core = self.core
        admission = core.scheduler.submit(job.job_id)
        if admission is Admission.FULL:
            core.notice(job, "Queue full", QUEUE_FULL_TEXT, _messages.ERROR_COLOR)
            job.status = "error:queue_full"
            return
        try:
            if admission is Admission.QUEUED:
                core.notice(job, "Job queued", QUEUED_TEXT, _messages.INFO_COLOR, kind="queued")
                await job.started.wait()
            job.status = "running"
            await core.sleep(core.settings.timings.upscale_s)
            width, height = job.size
            assert job.parent_hash is not None and job.parent_message_id is not None
            # Upscale N is tile N of the parent grid: rendered from the parent hash.
            image = await core.emit.attachment(
                "upscale",
                job.parent_hash,
                job.index,
                width,
                height,
                filename_slug(core.config.username, job.echoed, job.job_id),
            )
            grid = core.store.get(job.parent_message_id)
            core.create(upscale_message(core, job, image, grid), "upscale", job)
            job.status = "done"
            core.obs.jobs["done:upscale"] += 1
        finally:
            core.release(job)
