"""The job flow: /imagine (and rerolls, variations) from admission to the final grid, and upscales.

Per job (reference notes §3.1, shapes per era in `_eras`/`_replies`): INTERACTION_CREATE +
INTERACTION_SUCCESS, a "(Waiting to start)" message carrying the nonce, progress edits
"(N%) (fast)" with a WebP preview `<hash>_grid_0.webp`, deletion of that message, and a NEW final
grid message whose U/V/🔄 buttons carry the job hash (in v7 a reply to the waiting message). An
upscale is acknowledged ("Upscaling image #N with ...", v7 and v4) before its result. The
scheduler limits running jobs (3) and waiting jobs (10); prompt markers and invalid parameters
produce the error embeds and notices of §3.7.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid

from . import _components, _images, _messages, _texts
from ._bot_faults import FaultBehaviours
from ._botcore import BotCore, Job, Json
from ._prompt import check_prompt, filename_slug, find_marker, image_size
from ._replies import (
    embed_reply,
    era,
    final_grid,
    grid_filename,
    grid_kind,
    mode_status,
    progress_components,
    progress_content,
    upscale_ack,
    upscale_message,
)
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
            appeal = _components.button(f"MJ::Prompts::Appeal::{job.job_id}", "Appeal", style=1)
            self.pending_appeals[job.job_id] = job
            self.error_reply(job, "action_needed", ephemeral=True, components=[{"type": 1, "components": [appeal]}])
            return
        if marker == "captcha":
            # Human verification: ephemeral (gateway only), with the iframe button trueai describes.
            verify = _components.button(f"MJ::iframe::{secrets.token_urlsafe(12)}", "Verify", style=1)
            self.error_reply(job, "captcha", ephemeral=True, components=[{"type": 1, "components": [verify]}])
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
        shapes = era(core)
        marker = find_marker(job.prompt)
        jitter = self._jitter(job)
        await core.sleep(timings.start_s)
        waiting = core.new_message(
            core.content(job, "Waiting to start"),
            job,
            nonce=job.nonce if nonce_on_start else None,
            message_type=_messages.CHAT_INPUT_COMMAND,
        )
        core.create(waiting, "waiting", job)
        if marker == "decline":
            await core.sleep(timings.first_progress_s * jitter)
            self._end_with_notice(job, waiting, _texts.DECLINE_TITLE, _texts.DECLINE_TEXT, _texts.DECLINE_CODE)
            return
        if marker == "unknown_notice":
            notice = embed_reply(
                core, job, waiting["id"], _texts.UNKNOWN_NOTICE_TITLE, _texts.UNKNOWN_NOTICE_TEXT, _messages.BLURPLE
            )
            core.create(notice, "notice", job)
        if job.mode == "relaxed" and core.settings.relax_paused:
            waiting["content"] = core.content(job, "paused") + f" ({mode_status(core, job)})"
            core.update(waiting, "progress", job)
        await core.sleep(timings.first_progress_s * jitter)
        step_s = timings.progress_s / len(shapes.ladder)
        for step, percent in enumerate(shapes.ladder):
            waiting["content"] = progress_content(core, job, percent)
            if core.settings.progress_hash:
                if percent >= shapes.preview_from:
                    waiting["attachments"] = [await self._preview(job, percent)]
                waiting["components"] = progress_components(core, job)
            core.update(waiting, "progress", job)
            if step == 0:
                self.faults.maybe_drop_gateway()
                if core.faults.on("action_grids"):
                    await self.faults.post_action_grids(job)
            if marker == "moderated" and percent >= 62:
                waiting["content"] = core.content(job, "Stopped")
                core.update(waiting, "progress", job)
                await core.sleep(timings.delete_gap_s)
                core.delete(waiting, "moderated", job)
                job.status = "error:moderated"
                core.obs.jobs["error:moderated"] += 1
                return
            if marker == "output_filter" and percent >= 89:
                self._end_with_notice(job, waiting, _texts.OUTPUT_FILTER_TITLE, _texts.OUTPUT_FILTER_TEXT)
                return
            await core.sleep(step_s * _irregular(job, step) * jitter)
        width, height = job.size
        slug = grid_filename(core, filename_slug(core.config.username, job.echoed, job.job_id))
        grid = await core.emit.attachment(grid_kind(core), job.job_id, 0, width, height, slug)
        await core.sleep(max(0.0, timings.finish_s - step_s) * jitter)
        # The GPU work is done: free the slot before any out_of_order hold so queued jobs can run.
        core.release(job)
        await self.faults.hold_for_order(job)
        when = core.settings.progress_delete
        if when == "before":
            core.delete(waiting, "progress_delete", job)
            await core.sleep(timings.delete_gap_s)
        core.create(final_grid(core, job, grid, waiting["id"]), "grid", job)
        if when == "after":
            await core.sleep(timings.delete_gap_s)
            core.delete(waiting, "progress_delete", job)
        job.status = "done"
        core.obs.jobs["done:" + job.kind] += 1

    async def _preview(self, job: Job, percent: int) -> Json:
        size = _images.PROGRESS_SIZE
        return await self.core.emit.attachment("progress", job.job_id, percent, size, size, f"{job.job_id}_grid_0.webp")

    def _end_with_notice(self, job: Job, waiting: Json, title: str, text: str, footer: str | None = None) -> None:
        """A mid-job error: an embed reply to the waiting message, which then disappears."""
        core = self.core
        core.create(
            embed_reply(core, job, waiting["id"], title, text, _messages.ERROR_COLOR, footer=footer), "error", job
        )
        core.delete(waiting, "progress_delete", job)
        kind = "decline" if footer else "output_filter"
        job.status = f"error:{kind}"
        core.obs.jobs[f"error:{kind}"] += 1

    # -- upscale -----------------------------------------------------------------------------------

    async def admit_single(self, job: Job) -> bool:
        """Admission of a one-image job (an upscale): "Queue full" (False), or a slot, after a
        "Job queued" notice and the wait if every slot is busy (True; the caller releases it)."""
        core = self.core
        admission = core.scheduler.submit(job.job_id)
        if admission is Admission.FULL:
            core.notice(job, "Queue full", QUEUE_FULL_TEXT, _messages.ERROR_COLOR)
            job.status = "error:queue_full"
            return False
        if admission is Admission.QUEUED:
            core.notice(job, "Job queued", QUEUED_TEXT, _messages.INFO_COLOR, kind="queued")
            await job.started.wait()
        job.status = "running"
        return True

    async def upscale(self, job: Job) -> None:
        core = self.core
        if not await self.admit_single(job):
            return
        try:
            ack = None
            if era(core).upscale_flow in ("ack", "legacy"):
                await core.sleep(min(core.settings.timings.start_s, core.settings.timings.upscale_s / 4))
                ack = core.create(upscale_ack(core, job), "upscale_ack", job)
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
            if ack is not None:
                core.delete(ack, "upscale_ack_delete", job)
            core.create(upscale_message(core, job, image, grid), "upscale", job)
            job.status = "done"
            core.obs.jobs["done:upscale"] += 1
        finally:
            core.release(job)


def _irregular(job: Job, step: int) -> float:
    """Deterministic per job and step, 0.6-1.4: progress edits do not come at a steady beat."""
    digest = hashlib.sha256(f"{job.job_id}:{step}".encode()).digest()
    return 0.6 + 0.8 * digest[0] / 255
