"""The Midjourney bot: turns accepted interactions into the message flow the real bot produces.

Per /imagine (reference notes §3.1): INTERACTION_CREATE + INTERACTION_SUCCESS (id, nonce), then a
"(Waiting to start)" message carrying the nonce, progress edits "(N%) (fast)" with a WebP preview
named `<hash>_grid_0.webp`, deletion of that message, and a NEW final grid message whose U/V/🔄
buttons carry the job hash. U buttons produce an "Image #N" reply whose `message_reference` is the
grid. The scheduler limits running jobs (3) and waiting jobs (10); prompt markers and invalid
parameters produce the error embeds of §3.7. Fault switches that act on jobs live here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any

from .._faults import FaultSwitches
from . import _images, _messages
from ._config import PROGRESS_LADDER, EmulatorConfig, Settings
from ._emitter import Emitter
from ._gateway import GatewayHub
from ._prompt import check_prompt, filename_slug, find_marker, image_size
from ._scheduler import Admission, CompletionOrder, JobScheduler
from ._snowflake import SnowflakeGenerator
from ._store import ChannelStore, Observability
from ._texts import ERROR_EMBEDS, QUEUE_FULL_TEXT, QUEUED_TEXT

Json = dict[str, Any]

_CUSTOM_ID = re.compile(r"^MJ::JOB::(?P<action>[a-z_0-9]+)::(?P<index>\d+)::(?P<hash>[0-9a-f-]{36})(?:::SOLO)?$")
_APPEAL = re.compile(r"^MJ::Prompts::Appeal::(?P<job>[0-9a-f-]{36})$")
# Bound on how long a finished job may be held back by the out_of_order fault (emulated seconds).
MAX_HOLD_EMULATED_S = 600.0
# ...but never less than this in real seconds: a paced client may take that long to submit a group.
MIN_HOLD_BOUND_S = 60.0


@dataclass
class Job:
    job_id: str  # the Midjourney job hash (uuid)
    kind: str  # imagine | reroll | variation | upscale
    prompt: str  # as sent
    echoed: str  # as the bot echoes it
    parameters: dict[str, str]
    mode: str
    interaction_id: str
    interaction_type: int
    nonce: str | None
    session_id: str | None
    submitted_at: float
    size: tuple[int, int]
    label: str = ""  # "Variations (Strong) by " etc.
    index: int = 0
    parent_message_id: str | None = None
    parent_hash: str | None = None
    status: str = "submitted"
    messages: list[str] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)


class MidjourneyBot:
    def __init__(
        self,
        config: EmulatorConfig,
        settings: Settings,
        faults: FaultSwitches,
        store: ChannelStore,
        gateway: GatewayHub,
        obs: Observability,
        ids: SnowflakeGenerator,
    ) -> None:
        self.config = config
        self.settings = settings
        self.faults = faults
        self.store = store
        self.gateway = gateway
        self.obs = obs
        self.ids = ids
        self.scheduler = JobScheduler(settings.concurrency, settings.queue_size)
        self.order = CompletionOrder()
        self.jobs: dict[str, Job] = {}
        self.emit = Emitter(config, store, gateway, obs, ids)
        self._order_changed = asyncio.Condition()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stale_seeded: set[str] = set()
        self._pending_appeals: dict[str, Job] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    def reset(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        self.scheduler = JobScheduler(self.settings.concurrency, self.settings.queue_size)
        self.order.clear()
        self.jobs.clear()
        self.emit.reset()
        self._stale_seeded.clear()
        self._pending_appeals.clear()

    async def shutdown(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def apply_settings(self) -> None:
        self.scheduler.concurrency = self.settings.concurrency
        self.scheduler.queue_size = self.settings.queue_size

    def _spawn(self, coroutine: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # A bug in the emulator must be visible in its log, not vanish with the task.
            self.obs.jobs["emulator_errors"] += 1
            traceback.print_exception(task.exception(), file=sys.stderr)

    async def _sleep(self, emulated_s: float) -> None:
        await asyncio.sleep(self.settings.scaled(emulated_s))

    # -- entry points (called by the REST layer after validation, before it answers 204) ---------

    def imagine(self, prompt: str, interaction_id: str, nonce: str | None, session_id: str | None) -> None:
        check = check_prompt(prompt, self.settings.suffix)
        job = Job(
            job_id=str(uuid.uuid4()),
            kind="imagine",
            prompt=prompt,
            echoed=check.echoed,
            parameters=check.parameters,
            mode=check.mode or self.settings.mode,
            interaction_id=interaction_id,
            interaction_type=2,
            nonce=nonce,
            session_id=session_id,
            submitted_at=time.time(),
            size=image_size(check.parameters, self.settings.image_base),
        )
        self.jobs[job.job_id] = job
        self.obs.jobs["imagine"] += 1
        self._spawn(self._run_imagine(job, check.problem))

    def find_button(self, message: Json, custom_id: str) -> bool:
        return custom_id in _messages.all_custom_ids(message.get("components", []))

    def component(
        self, message: Json, custom_id: str, interaction_id: str, nonce: str | None, session_id: str | None
    ) -> None:
        """A button press on `message` (already checked to carry `custom_id`)."""
        self._spawn(self._run_component(message, custom_id, interaction_id, nonce, session_id))

    # -- emission (through the Emitter; the job remembers its message ids) ---------------------------

    def _create(self, message: Json, kind: str, job: Job | None) -> Json:
        self.emit.create(message, kind, job.job_id if job else None)
        if job is not None:
            job.messages.append(message["id"])
        return message

    def _update(self, message: Json, kind: str, job: Job | None) -> None:
        self.emit.update(message, kind, job.job_id if job else None)

    def _delete(self, message: Json, kind: str, job: Job | None) -> None:
        self.emit.delete(message, kind, job.job_id if job else None)

    def _interaction_events(self, job: Job, success: bool = True) -> None:
        self.emit.interaction_events(job.interaction_id, job.nonce, job.session_id, success)

    def _new_message(self, content: str, job: Job | None, *, interaction: bool = True, **kwargs: Any) -> Json:
        ids = (job.interaction_id, job.interaction_type) if job is not None and interaction else None
        return self.emit.message(content, interaction=ids, **kwargs)

    # -- content strings -------------------------------------------------------------------------

    def _mention(self) -> str:
        return f"<@{self.config.user_id}>"

    def _content(self, job: Job, status: str | None) -> str:
        tail = f" ({status})" if status else ""
        return f"**{job.echoed}** - {job.label}{self._mention()}{tail}"

    # -- error replies ---------------------------------------------------------------------------

    def _error_reply(
        self,
        job: Job,
        kind: str,
        description: str | None = None,
        ephemeral: bool = False,
        components: list[Json] | None = None,
    ) -> None:
        title, default = ERROR_EMBEDS.get(kind, ("Invalid parameter", ""))
        footer = f"/imagine {job.prompt}" if job.kind == "imagine" else None
        message = self._new_message(
            "",
            job,
            nonce=job.nonce,
            message_type=_messages.CHAT_INPUT_COMMAND,
            embeds=[_messages.embed(title, description or default, _messages.ERROR_COLOR, footer)],
            flags=_messages.EPHEMERAL if ephemeral else 0,
            components=components,
        )
        self._create(message, "error", job)
        job.status = f"error:{kind}"
        self.obs.jobs[f"error:{kind}"] += 1

    # -- imagine / reroll / variation ------------------------------------------------------------

    async def _run_imagine(self, job: Job, problem: str | None) -> None:
        await self._sleep(0.05)
        self._interaction_events(job)
        marker = find_marker(job.prompt)
        if problem is not None or marker == "invalid_parameter":
            self._error_reply(job, "invalid_parameter", problem or "Invalid value")
            return
        if marker == "failed":
            message = self._new_message(
                "Failed to process your command :(",
                job,
                nonce=job.nonce,
                message_type=_messages.CHAT_INPUT_COMMAND,
            )
            self._create(message, "error", job)
            job.status = "error:failed"
            return
        if marker == "action_needed":
            appeal = _messages.button(f"MJ::Prompts::Appeal::{job.job_id}", "Appeal", style=1)
            self._pending_appeals[job.job_id] = job
            self._error_reply(job, "action_needed", ephemeral=True, components=[{"type": 1, "components": [appeal]}])
            return
        if marker in ERROR_EMBEDS:
            self._error_reply(job, marker)
            return
        await self._generate(job)

    async def _generate(self, job: Job, nonce_on_start: bool = True) -> None:
        """Admission, progress messages, final grid. Shared by imagine, reroll and variations."""
        admission = self.scheduler.submit(job.job_id)
        if admission is Admission.FULL:
            self._queue_embed(job, "Queue full", QUEUE_FULL_TEXT, _messages.ERROR_COLOR)
            job.status = "error:queue_full"
            self.obs.jobs["error:queue_full"] += 1
            return
        self.order.register(job.job_id, job.echoed)
        async with self._order_changed:
            self._order_changed.notify_all()
        try:
            if admission is Admission.QUEUED:
                job.status = "queued"
                self._queue_embed(job, "Job queued", QUEUED_TEXT, _messages.INFO_COLOR)
                await job.started.wait()
                nonce_on_start = False
            job.status = "running"
            if self.faults.on("stale_history"):
                await self._seed_one(job.prompt, job.echoed, announce=True)
            await self._progress_and_finish(job, nonce_on_start)
        finally:
            self._release(job)
            await self._mark_done(job)

    def _queue_embed(self, job: Job, title: str, text: str, color: int) -> None:
        footer = f"/imagine {job.prompt}"
        message = self._new_message(
            "",
            job,
            nonce=job.nonce,
            message_type=_messages.CHAT_INPUT_COMMAND,
            embeds=[_messages.embed(title, text, color, footer)],
        )
        self._create(message, "queued" if title == "Job queued" else "error", job)

    def _release(self, job: Job) -> None:
        if job.job_id not in self.scheduler.running and job.job_id not in self.scheduler.waiting:
            return
        for started_id in self.scheduler.release(job.job_id):
            started = self.jobs.get(started_id)
            if started is not None:
                started.started.set()

    async def _mark_done(self, job: Job) -> None:
        self.order.mark_done(job.job_id)
        async with self._order_changed:
            self._order_changed.notify_all()

    def _jitter(self, job: Job) -> float:
        # Deterministic per job: identical prompts submitted together may finish in either order.
        # Relax mode is slower and turbo faster than fast mode, as on Midjourney.
        speed = {"relaxed": 4.0, "turbo": 0.5}.get(job.mode, 1.0)
        return speed * (0.8 + (int(job.job_id[:4], 16) % 400) / 1000.0)

    async def _progress_and_finish(self, job: Job, nonce_on_start: bool) -> None:
        timings = self.settings.timings
        jitter = self._jitter(job)
        await self._sleep(timings.start_s)
        waiting = self._new_message(
            self._content(job, "Waiting to start"),
            job,
            nonce=job.nonce if nonce_on_start else None,
            message_type=_messages.CHAT_INPUT_COMMAND,
        )
        self._create(waiting, "waiting", job)
        await self._sleep(timings.first_progress_s * jitter)
        for step, percent in enumerate(PROGRESS_LADDER):
            waiting["content"] = self._content(job, f"{percent}%") + f" ({job.mode})"
            if percent > 0:
                waiting["attachments"] = [
                    await self.emit.attachment(
                        "progress",
                        job.job_id,
                        percent,
                        _images.PROGRESS_SIZE,
                        _images.PROGRESS_SIZE,
                        f"{job.job_id}_grid_0.webp",
                    )
                ]
            self._update(waiting, "progress", job)
            if step == 0:
                self._maybe_drop_gateway()
            if find_marker(job.prompt) == "moderated" and percent >= 62:
                waiting["content"] = self._content(job, "Stopped")
                self._update(waiting, "progress", job)
                await self._sleep(timings.delete_gap_s)
                self._delete(waiting, "moderated", job)
                job.status = "error:moderated"
                self.obs.jobs["error:moderated"] += 1
                return
            await self._sleep(timings.progress_step_s * jitter)
        width, height = job.size
        grid = await self.emit.attachment(
            "grid", job.job_id, 0, width, height, filename_slug(self.config.username, job.echoed, job.job_id)
        )
        await self._sleep(max(0.0, timings.finish_s - timings.progress_step_s) * jitter)
        # The GPU work is done: free the slot before any out_of_order hold so queued jobs can run.
        self._release(job)
        await self._hold_for_order(job)
        self._delete(waiting, "progress_delete", job)
        await self._sleep(timings.delete_gap_s)
        final = self._new_message(
            self._content(job, job.mode),
            job,
            interaction=self.settings.final_interaction_metadata,
            attachments=[grid],
            components=_messages.grid_components(job.job_id),
        )
        self._create(final, "grid", job)
        job.status = "done"
        self.obs.jobs["done:" + job.kind] += 1

    async def _hold_for_order(self, job: Job) -> None:
        """The `out_of_order` fault: post identical prompts' results newest first.

        `true`: a finished job also waits a grace period (max(30 emulated s, 1 s)) for identical
        jobs submitted after it, since a paced client submits them after earlier ones could finish.
        An integer N: wait until N identical jobs were submitted. Bounded by MAX_HOLD_EMULATED_S
        (at least MIN_HOLD_BOUND_S)."""
        value = self.faults.value("out_of_order")
        if not value:
            return
        group = value if isinstance(value, int) and not isinstance(value, bool) else None
        grace = 0.0 if group is not None else max(self.settings.scaled(30.0), 1.0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(self.settings.scaled(MAX_HOLD_EMULATED_S), MIN_HOLD_BOUND_S)
        # The grace runs from when this job is ready, restarting whenever an identical job arrives.
        known, grace_until = self.order.submitted(job.echoed), loop.time() + grace
        async with self._order_changed:
            for _ in range(100_000):
                if loop.time() >= deadline:
                    break
                wait_until = deadline
                if self.order.may_post(job.job_id, job.echoed, group):
                    if grace <= 0:
                        break
                    if self.order.submitted(job.echoed) != known:
                        known, grace_until = self.order.submitted(job.echoed), loop.time() + grace
                    if loop.time() >= grace_until:
                        break
                    wait_until = min(deadline, grace_until)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._order_changed.wait(), max(0.0, wait_until - loop.time()))
        self.obs.faults_fired["out_of_order"] += 1

    def _maybe_drop_gateway(self) -> None:
        if not self.faults.on("gateway_drop_mid_job"):
            return
        self.consume_fault("gateway_drop_mid_job")
        self.gateway.drop_all()

    def consume_fault(self, name: str) -> None:
        """Count down a switch whose value is a number of occurrences: true means once, N means N
        times, {"count": N, ...} means N times with options. At zero the switch turns itself off."""
        self.obs.faults_fired[name] += 1
        value = self.faults.value(name)
        if isinstance(value, dict):
            count = int(value.get("count", 1)) - 1
            self.faults.update({name: {**value, "count": count} if count > 0 else None})
            return
        remaining = value - 1 if isinstance(value, int) and not isinstance(value, bool) else 0
        self.faults.update({name: remaining if remaining > 0 else None})

    # -- buttons ---------------------------------------------------------------------------------

    async def _run_component(
        self, message: Json, custom_id: str, interaction_id: str, nonce: str | None, session_id: str | None
    ) -> None:
        await self._sleep(0.05)
        appeal = _APPEAL.match(custom_id)
        if appeal:
            self.emit.interaction_events(interaction_id, nonce, session_id)
            job = self._pending_appeals.pop(appeal.group("job"), None)
            if job is not None:
                await self._generate(job, nonce_on_start=False)
            return
        match = _CUSTOM_ID.match(custom_id)
        parent_hash = match.group("hash") if match else ""
        parent = self.jobs.get(parent_hash)
        if match is None or parent is None:
            self.emit.interaction_events(interaction_id, nonce, session_id, success=False)
            return
        action, index = match.group("action"), int(match.group("index"))
        job = Job(
            job_id=str(uuid.uuid4()),
            kind="upscale",
            prompt=parent.prompt,
            echoed=parent.echoed,
            parameters=parent.parameters,
            mode=parent.mode,
            interaction_id=interaction_id,
            interaction_type=3,
            nonce=nonce,
            session_id=session_id,
            submitted_at=time.time(),
            size=parent.size,
            index=index,
            parent_message_id=message["id"],
            parent_hash=parent_hash,
        )
        self.jobs[job.job_id] = job
        self._interaction_events(job)
        self._mark_used(message, custom_id, job)
        if action == "upsample":
            self.obs.jobs["upscale"] += 1
            await self._upscale(job)
        elif action == "reroll":
            job.kind = "reroll"
            self.obs.jobs["reroll"] += 1
            await self._generate(job)
        else:
            job.kind = "variation"
            strength = "Subtle" if action == "low_variation" else "Strong"
            job.label = f"Variations ({strength}) by "
            self.obs.jobs["variation"] += 1
            await self._generate(job)

    def _mark_used(self, message: Json, custom_id: str, job: Job) -> None:
        current = self.store.get(message["id"])
        if current is None:
            return
        current["components"] = _messages.mark_button_used(current.get("components", []), custom_id)
        self._update(current, "button_used", job)

    async def _upscale(self, job: Job) -> None:
        admission = self.scheduler.submit(job.job_id)
        if admission is Admission.FULL:
            self._queue_embed(job, "Queue full", QUEUE_FULL_TEXT, _messages.ERROR_COLOR)
            job.status = "error:queue_full"
            return
        try:
            if admission is Admission.QUEUED:
                self._queue_embed(job, "Job queued", QUEUED_TEXT, _messages.INFO_COLOR)
                await job.started.wait()
            job.status = "running"
            await self._sleep(self.settings.timings.upscale_s)
            width, height = job.size
            assert job.parent_hash is not None and job.parent_message_id is not None
            # Upscale N is tile N of the parent grid: rendered from the parent hash.
            image = await self.emit.attachment(
                "upscale",
                job.parent_hash,
                job.index,
                width,
                height,
                filename_slug(self.config.username, job.echoed, job.job_id),
            )
            grid = self.store.get(job.parent_message_id)
            self._create(self._upscale_message(job, image, grid), "upscale", job)
            job.status = "done"
            self.obs.jobs["done:upscale"] += 1
        finally:
            self._release(job)

    def _upscale_message(
        self,
        job: Job,
        image: Json,
        grid: Json | None,
        epoch_s: float | None = None,
        message_id: int | None = None,
    ) -> Json:
        referenced = copy.deepcopy(grid) if grid is not None else None
        if referenced is not None:
            referenced.pop("referenced_message", None)
        return self._new_message(
            f"**{job.echoed}** - Image #{job.index} {self._mention()}",
            job,
            epoch_s=epoch_s,
            message_id=message_id,
            message_type=_messages.REPLY,
            attachments=[image],
            components=_messages.upscale_components(job.job_id),
            extra={
                "message_reference": {
                    "type": 0,
                    "message_id": job.parent_message_id,
                    "channel_id": self.config.channel_id,
                    "guild_id": self.config.guild_id,
                },
                "referenced_message": referenced,
            },
        )

    # -- stale history ---------------------------------------------------------------------------

    async def seed_stale_history(self, prompts: list[str]) -> int:
        """Put an older grid + "Image #1" upscale of each prompt in the channel (ids an hour old)."""
        seeded = 0
        for prompt in prompts:
            seeded += await self._seed_one(prompt, check_prompt(prompt, self.settings.suffix).echoed)
        return seeded

    async def _seed_one(self, prompt: str, echoed: str, announce: bool = False) -> int:
        """With `announce`, the old grid is also edited now (a MESSAGE_UPDATE of an old message), so a
        gateway watcher meets the stale messages too, not only a poller."""
        if echoed in self._stale_seeded:
            return 0
        self._stale_seeded.add(echoed)
        self.obs.faults_fired["stale_history"] += 1
        old = time.time() - 3600 - len(self._stale_seeded)
        parameters = check_prompt(prompt, self.settings.suffix).parameters
        grid_job = Job(
            job_id=str(uuid.uuid4()),
            kind="imagine",
            prompt=prompt,
            echoed=echoed,
            parameters=parameters,
            mode=self.settings.mode,
            interaction_id=str(self.ids.past(old - 60)),
            interaction_type=2,
            nonce=None,
            session_id=None,
            submitted_at=old - 60,
            size=image_size(parameters, self.settings.image_base),
            status="done",
        )
        self.jobs[grid_job.job_id] = grid_job
        width, height = grid_job.size
        grid_att = await self.emit.attachment(
            "grid",
            grid_job.job_id,
            0,
            width,
            height,
            filename_slug(self.config.username, echoed, grid_job.job_id),
        )
        grid = self._new_message(
            self._content(grid_job, grid_job.mode),
            grid_job,
            epoch_s=old,
            message_id=self.ids.past(old),
            attachments=[grid_att],
            components=_messages.mark_button_used(
                _messages.grid_components(grid_job.job_id), f"MJ::JOB::upsample::1::{grid_job.job_id}"
            ),
        )
        self.store.put(grid)
        up_job = Job(
            job_id=str(uuid.uuid4()),
            kind="upscale",
            prompt=prompt,
            echoed=echoed,
            parameters=parameters,
            mode=grid_job.mode,
            interaction_id=str(self.ids.past(old + 5)),
            interaction_type=3,
            nonce=None,
            session_id=None,
            submitted_at=old + 5,
            size=grid_job.size,
            index=1,
            parent_message_id=grid["id"],
            parent_hash=grid_job.job_id,
            status="done",
        )
        self.jobs[up_job.job_id] = up_job
        up_att = await self.emit.attachment(
            "upscale",
            grid_job.job_id,
            1,
            width,
            height,
            filename_slug(self.config.username, echoed, up_job.job_id),
        )
        self.store.put(
            self._upscale_message(up_job, up_att, grid, epoch_s=old + 10, message_id=self.ids.past(old + 10))
        )
        if announce:
            grid["components"] = _messages.mark_button_used(
                grid["components"], f"MJ::JOB::variation::1::{grid_job.job_id}"
            )
            self._update(grid, "stale", grid_job)
        return 1

    # -- observability ---------------------------------------------------------------------------

    def job_table(self) -> list[Json]:
        return [
            {
                "job_hash": j.job_id,
                "kind": j.kind,
                "status": j.status,
                "prompt": j.prompt,
                "echoed": j.echoed,
                "nonce": j.nonce,
                "interaction_id": j.interaction_id,
                "index": j.index,
                "parent_message_id": j.parent_message_id,
                "message_ids": list(j.messages),
                "submitted_at": j.submitted_at,
            }
            for j in self.jobs.values()
        ]
