"""The `stale_history` fault: older results of the same prompt already in the channel.

An hour-old grid and its "Image #1" upscale are put into the history; with `announce` the old grid
is also edited now (a MESSAGE_UPDATE of an old message), so a gateway watcher meets the stale
messages too, not only a poller.
"""

from __future__ import annotations

import time
import uuid

from . import _messages
from ._botcore import BotCore, Job
from ._prompt import check_prompt, filename_slug, image_size
from ._replies import final_grid, grid_filename, grid_kind, upscale_message


class StaleHistory:
    def __init__(self, core: BotCore) -> None:
        self.core = core
        self._seeded: set[str] = set()

    def reset(self) -> None:
        self._seeded.clear()

    async def seed_prompts(self, prompts: list[str]) -> int:
        """Put an older grid + "Image #1" upscale of each prompt in the channel (ids an hour old)."""
        seeded = 0
        for prompt in prompts:
            seeded += await self.seed(prompt, check_prompt(prompt, self.core.settings.suffix).echoed)
        return seeded

    async def seed(self, prompt: str, echoed: str, announce: bool = False) -> int:
        core = self.core
        if echoed in self._seeded:
            return 0
        self._seeded.add(echoed)
        core.obs.faults_fired["stale_history"] += 1
        old = time.time() - 3600 - len(self._seeded)
        parameters = check_prompt(prompt, core.settings.suffix).parameters
        grid_job = core.add(
            Job(
                job_id=str(uuid.uuid4()),
                kind="imagine",
                prompt=prompt,
                echoed=echoed,
                parameters=parameters,
                mode=core.settings.mode,
                interaction_id=str(core.ids.past(old - 60)),
                interaction_type=2,
                nonce=None,
                session_id=None,
                submitted_at=old - 60,
                size=image_size(parameters, core.settings.image_base),
                status="done",
            )
        )
        width, height = grid_job.size
        slug = grid_filename(core, filename_slug(core.config.username, echoed, grid_job.job_id))
        grid_att = await core.emit.attachment(grid_kind(core), grid_job.job_id, 0, width, height, slug)
        # Its waiting message is long gone: a v7 final replies to a deleted message.
        grid = final_grid(
            core, grid_job, grid_att, str(core.ids.past(old - 30)), epoch_s=old, message_id=core.ids.past(old)
        )
        grid["components"] = _messages.mark_button_used(grid["components"], f"MJ::JOB::upsample::1::{grid_job.job_id}")
        core.store.put(grid)
        up_job = core.add(
            grid_job.derive(
                kind="upscale",
                interaction_id=str(core.ids.past(old + 5)),
                interaction_type=3,
                submitted_at=old + 5,
                index=1,
                parent_message_id=grid["id"],
                parent_hash=grid_job.job_id,
                status="done",
            )
        )
        up_att = await core.emit.attachment(
            "upscale", grid_job.job_id, 1, width, height, filename_slug(core.config.username, echoed, up_job.job_id)
        )
        core.store.put(
            upscale_message(core, up_job, up_att, grid, epoch_s=old + 10, message_id=core.ids.past(old + 10))
        )
        if announce:
            grid["components"] = _messages.mark_button_used(
                grid["components"], f"MJ::JOB::variation::1::{grid_job.job_id}"
            )
            core.update(grid, "stale", grid_job)
        return 1
