"""The bot's result messages: how a final grid and an upscale look (reference notes §3.4-3.6)."""

from __future__ import annotations

import copy
from typing import Any

from . import _messages
from ._botcore import BotCore, Job

Json = dict[str, Any]


def upscale_message(
    core: BotCore,
    job: Job,
    image: Json,
    grid: Json | None,
    epoch_s: float | None = None,
    message_id: int | None = None,
) -> Json:
    """`**p** - Image #N <@u>`: a reply (type 19) to the grid, with the single image and its buttons."""
    referenced = copy.deepcopy(grid) if grid is not None else None
    if referenced is not None:
        referenced.pop("referenced_message", None)
    return core.new_message(
        f"**{job.echoed}** - Image #{job.index} {core.mention()}",
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
                "channel_id": core.config.channel_id,
                "guild_id": core.config.guild_id,
            },
            "referenced_message": referenced,
        },
    )
