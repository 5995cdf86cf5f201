"""The bot's messages for a job, in the shapes of the configured era (`_eras`): progress contents,
the final grid, the upscale acknowledgement and result, and embed replies (reference notes
§3.2-3.7, the live v7 captures)."""

from __future__ import annotations

import copy
from typing import Any

from . import _components, _messages
from ._botcore import BotCore, Job
from ._eras import Era, job_link

Json = dict[str, Any]


def era(core: BotCore) -> Era:
    return core.settings.shapes


def mode_status(core: BotCore, job: Job) -> str:
    return f"{job.mode}, stealth" if core.settings.stealth else job.mode


def grid_kind(core: BotCore) -> str:
    """The attachment kind of a final grid: the setting `grid_format`, else the era's format."""
    fmt = core.settings.grid_format or era(core).grid_format
    return "grid_webp" if fmt == "webp" else "grid"


def grid_filename(core: BotCore, slug: str) -> str:
    """`<user>_<words>_<uuid>.png` -> `.webp` for a webp grid."""
    return slug.removesuffix(".png") + ".webp" if grid_kind(core) == "grid_webp" else slug


def progress_content(core: BotCore, job: Job, percent: int) -> str:
    return core.content(job, f"{percent}%") + f" ({mode_status(core, job)})" + era(core).second_line


def progress_components(core: BotCore, job: Job) -> list[Json]:
    """A Cancel Job row where the era's live bot puts one (v7: variation, zoom and pan progress and
    the upscale acknowledgement, never `/imagine` progress), else none."""
    return _components.cancel_row(job.job_id) if job.kind in era(core).cancel_on else []


def reply_to(core: BotCore, message_id: str, referenced: Json | None = None) -> Json:
    """The `message_reference` / `referenced_message` pair of a type-19 reply. A reply to a deleted
    message carries `referenced_message: null`, as Discord sends it."""
    found = copy.deepcopy(referenced) if referenced is not None else None
    if found is not None:
        found.pop("referenced_message", None)
    reference = {
        "type": 0,
        "message_id": message_id,
        "channel_id": core.config.channel_id,
        "guild_id": core.config.guild_id,
    }
    return {"message_reference": reference, "referenced_message": found}


def final_grid(core: BotCore, job: Job, grid: Json, waiting_id: str | None, **kwargs: Any) -> Json:
    """The final grid: U/V/🔄 buttons (and a Web link in v7). In v7 a reply: a button's result to
    the message whose button was pressed (the live capture), an imagine's to its waiting message."""
    shapes = era(core)
    components = _components.grid_components(job.job_id)
    if shapes.link_button:
        components.append(_components.row(_components.link_button(job.job_id)))
    if job.parent_message_id is not None and job.kind != "reroll":
        waiting_id = job.parent_message_id
    reply = shapes.final_reply and waiting_id is not None
    link = job_link(shapes, job.job_id) if shapes.link_on_actions or job.kind in ("imagine", "reroll") else ""
    content = f"**{job.echoed}** - {job.label}{core.mention()}{link} ({mode_status(core, job)})"
    return core.new_message(
        content,
        job,
        interaction=core.settings.final_interaction_metadata,
        message_type=_messages.REPLY if reply else _messages.DEFAULT,
        attachments=[grid],
        components=components,
        extra=reply_to(core, waiting_id) if reply and waiting_id is not None else None,
        **kwargs,
    )


def upscale_ack(core: BotCore, job: Job) -> Json:
    """`Upscaling image #N with **p** - <@u> (Waiting to start)`: the interaction's reply (nonce)."""
    return core.new_message(
        f"Upscaling image #{job.index} with **{job.echoed}** - {core.mention()} (Waiting to start)",
        job,
        nonce=job.nonce,
        message_type=_messages.CHAT_INPUT_COMMAND,
        components=progress_components(core, job),
    )


def upscale_message(
    core: BotCore,
    job: Job,
    image: Json,
    grid: Json | None,
    epoch_s: float | None = None,
    message_id: int | None = None,
) -> Json:
    """`**p** - Image #N <@u>` (v4: `**p** - Upscaled by <@u> (fast)`): a reply to the grid."""
    if era(core).upscale_flow == "legacy":
        content = f"**{job.echoed}** - Upscaled by {core.mention()} ({mode_status(core, job)})"
    else:
        content = f"**{job.echoed}** - Image #{job.index} {core.mention()}"
    assert job.parent_message_id is not None
    return core.new_message(
        content,
        job,
        epoch_s=epoch_s,
        message_id=message_id,
        message_type=_messages.REPLY,
        attachments=[image],
        components=_components.solo_components(era(core).name, job.job_id),
        extra=reply_to(core, job.parent_message_id, grid),
    )


def embed_reply(
    core: BotCore,
    job: Job,
    reply_to_id: str,
    title: str,
    description: str,
    color: int,
    *,
    footer: str | None = None,
    referenced: Json | None = None,
) -> Json:
    """An embed posted as a reply to one of the job's messages (errors mid-job, Slow Down!)."""
    return core.new_message(
        "",
        job,
        message_type=_messages.REPLY,
        embeds=[_messages.embed(title, description, color, footer)],
        extra=reply_to(core, reply_to_id, referenced),
    )
