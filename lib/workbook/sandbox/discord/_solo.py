"""What the buttons of an upscaled image do (v7 "Image #N", v4 "Upscaled by"), as the live capture
of 2026-06-02 shows them (cascade-img `reviews/wave-f-receive-capture.md` §2): each result is a
reply to the pressed message. Upscale (Subtle|Creative) -> `**p** - Upscaled by <@u> (fast)`, one
PNG twice the size; Zoom Out 2x / 1.5x -> a "Zoom Out by" grid; Pan -> a "Pan <Dir> by" grid on a
widened canvas, Midjourney rewriting `--ar` (1:1 -> 3:2 to the right; up/down -> 2:3 is inferred);
the heart -> "You have successfully rated [this job](<message link>) with 😍", no image. Vary goes
through the variation flow. Vary (Region), Custom Zoom and Animate (web modals, videos) are not
emulated: their press fails with INTERACTION_FAILURE.
"""

from __future__ import annotations

import re

from . import _components, _messages
from ._botcore import BotCore, Job, Json
from ._flow import JobFlow
from ._prompt import filename_slug, image_size
from ._replies import era, mode_status, reply_to

_AR = re.compile(r"\s--(?:ar|aspect)\s+\S+")
PAN_RATIO = {"left": "3:2", "right": "3:2", "up": "2:3", "down": "2:3"}
BOOKMARK_EMOJI = "😍"


class SoloActions:
    def __init__(self, core: BotCore, flow: JobFlow) -> None:
        self.core = core
        self.flow = flow

    async def pan(self, job: Job, direction: str) -> None:
        ratio = PAN_RATIO[direction]
        job.kind, job.label = "pan", f"Pan {direction.title()} by "
        job.echoed = _AR.sub("", job.echoed) + f" --ar {ratio}"
        job.size = image_size({**job.parameters, "ar": ratio}, self.core.settings.image_base)
        self.core.obs.jobs["pan"] += 1
        await self.flow.generate(job)

    async def zoom(self, job: Job) -> None:
        job.kind, job.label = "zoom", "Zoom Out by "
        self.core.obs.jobs["zoom"] += 1
        await self.flow.generate(job)

    async def upscaled(self, job: Job, source: Job, upscaler: str) -> None:
        """`**p** - Upscaled by <@u> (mode)`: the pressed image (tile N of its grid) at twice the size.
        `upscaler` is "Subtle", "Creative" or "Max" (the button's)."""
        core = self.core
        if not await self.flow.admit_single(job):
            return
        try:
            await core.sleep(core.settings.timings.upscale_s)
            width, height = source.size
            slug = filename_slug(core.config.username, job.echoed, job.job_id)
            grid_hash, index = source.parent_hash or source.job_id, source.index or 1
            image = await core.emit.attachment("upscale", grid_hash, index, 2 * width, 2 * height, slug)
            assert job.parent_message_id is not None
            pressed = core.store.get(job.parent_message_id)
            message = core.new_message(
                f"**{job.echoed}** - {_upscaled_label(core, upscaler)}{core.mention()} ({mode_status(core, job)})",
                job,
                message_type=_messages.REPLY,
                attachments=[image],
                components=_components.upscaled_components(era(core).name, job.job_id),
                extra=reply_to(core, job.parent_message_id, pressed),
            )
            core.create(message, "upscale", job)
            job.status = "done"
            core.obs.jobs["done:upscaled"] += 1
        finally:
            core.release(job)

    def bookmark(self, job: Job, message: Json) -> None:
        """The heart: a confirmation reply, no job, no image."""
        core = self.core
        link = f"https://discord.com/channels/{core.config.guild_id}/{core.config.channel_id}/{message['id']}"
        reply = core.new_message(
            f"You have successfully rated [this job]({link}) with {BOOKMARK_EMOJI}",
            job,
            message_type=_messages.REPLY,
            extra=reply_to(core, message["id"], message),
        )
        core.create(reply, "bookmark", job)
        job.status = "done"
        core.obs.jobs["bookmark"] += 1


def _upscaled_label(core: BotCore, upscaler: str) -> str:
    """v7 says "Upscaled by" whichever upscaler (the live capture); v6 names it, "Upscaled
    (Creative) by" (novicezk's handler examples); the others say "Upscaled by"."""
    if era(core).name == "v6" and upscaler in ("Subtle", "Creative"):
        return f"Upscaled ({upscaler}) by "
    return "Upscaled by "
