"""What every part of the emulated Midjourney bot shares: a job's record, and the core that holds
identity, settings, fault switches, emission, admission, the job table and the bot's tasks.

The bot's behaviours live beside it, one concern per module: the job flow (`_flow`), buttons
(`_buttons`), fault behaviours (`_bot_faults`) and stale-history seeding (`_stale`); `_bot` wires
them into the one `MidjourneyBot` the REST layer talks to.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
import traceback
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from .._faults import FaultSwitches
from . import _messages
from ._config import EmulatorConfig, Settings
from ._emitter import Emitter
from ._gateway import GatewayHub
from ._scheduler import CompletionOrder, JobScheduler
from ._snowflake import SnowflakeGenerator
from ._store import ChannelStore, Observability

Json = dict[str, Any]


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

    def derive(self, **changes: Any) -> Job:
        """A new job made from this one (a button press, an action, an older copy): same prompt,
        echo, parameters, mode and size unless changed; a fresh job hash and no messages yet."""
        fresh: dict[str, Any] = {
            "job_id": str(uuid.uuid4()),
            "status": "submitted",
            "messages": [],
            "started": asyncio.Event(),
            "label": "",
            "index": 0,
            "parent_message_id": None,
            "parent_hash": None,
        }
        return dataclasses.replace(self, **{**fresh, **changes})

    def row(self) -> Json:
        """The job as `GET {admin}/jobs` reports it (the emulator's ground truth)."""
        return {
            "job_hash": self.job_id,
            "kind": self.kind,
            "status": self.status,
            "prompt": self.prompt,
            "echoed": self.echoed,
            "nonce": self.nonce,
            "interaction_id": self.interaction_id,
            "index": self.index,
            "parent_message_id": self.parent_message_id,
            "message_ids": list(self.messages),
            "submitted_at": self.submitted_at,
        }


class BotCore:
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
        self.emit = Emitter(config, store, gateway, obs, ids)
        self.scheduler = JobScheduler(settings.concurrency, settings.queue_size)
        self.order = CompletionOrder()
        self.order_changed = asyncio.Condition()
        self.jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle ---------------------------------------------------------------------------------

    def reset(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        self.scheduler = JobScheduler(self.settings.concurrency, self.settings.queue_size)
        self.order.clear()
        self.jobs.clear()
        self.emit.reset()

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

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # A bug in the emulator must be visible in its log, not vanish with the task.
            self.obs.jobs["emulator_errors"] += 1
            traceback.print_exception(task.exception(), file=sys.stderr)

    async def sleep(self, emulated_s: float) -> None:
        await asyncio.sleep(self.settings.scaled(emulated_s))

    def use_fault(self, name: str) -> None:
        """One occurrence of a count-valued switch was used: counted, and the switch counted down."""
        self.obs.faults_fired[name] += 1
        self.faults.count_down(name)

    # -- jobs --------------------------------------------------------------------------------------

    def add(self, job: Job) -> Job:
        self.jobs[job.job_id] = job
        return job

    def release(self, job: Job) -> None:
        """Free the job's slot (or queue place); queued jobs that can run now are started."""
        if job.job_id not in self.scheduler.running and job.job_id not in self.scheduler.waiting:
            return
        for started_id in self.scheduler.release(job.job_id):
            started = self.jobs.get(started_id)
            if started is not None:
                started.started.set()

    async def order_notify(self) -> None:
        async with self.order_changed:
            self.order_changed.notify_all()

    # -- emission (the job remembers its message ids) ----------------------------------------------

    def create(self, message: Json, kind: str, job: Job | None) -> Json:
        self.emit.create(message, kind, job.job_id if job else None)
        if job is not None:
            job.messages.append(message["id"])
        return message

    def update(self, message: Json, kind: str, job: Job | None) -> None:
        self.emit.update(message, kind, job.job_id if job else None)

    def delete(self, message: Json, kind: str, job: Job | None) -> None:
        self.emit.delete(message, kind, job.job_id if job else None)

    def interaction_events(self, job: Job, success: bool = True) -> None:
        self.emit.interaction_events(job.interaction_id, job.nonce, job.session_id, success)

    def new_message(self, content: str, job: Job | None, *, interaction: bool = True, **kwargs: Any) -> Json:
        ids = (job.interaction_id, job.interaction_type) if job is not None and interaction else None
        return self.emit.message(content, interaction=ids, **kwargs)

    def mention(self) -> str:
        return f"<@{self.config.user_id}>"

    def content(self, job: Job, status: str | None) -> str:
        tail = f" ({status})" if status else ""
        return f"**{job.echoed}** - {job.label}{self.mention()}{tail}"

    def notice(
        self,
        job: Job,
        title: str,
        description: str,
        color: int,
        *,
        kind: str = "error",
        ephemeral: bool = False,
        components: list[Json] | None = None,
    ) -> Json:
        """An embed reply to the job's interaction (it carries the nonce and interaction metadata)."""
        footer = f"/imagine {job.prompt}" if job.kind == "imagine" else None
        message = self.new_message(
            "",
            job,
            nonce=job.nonce,
            message_type=_messages.CHAT_INPUT_COMMAND,
            embeds=[_messages.embed(title, description, color, footer)],
            flags=_messages.EPHEMERAL if ephemeral else 0,
            components=components,
        )
        return self.create(message, kind, job)
