"""Builders for bot messages in the shapes Discord delivers them (gateway dispatch `d` / REST
history items), for the correlation tests."""

from __future__ import annotations

import itertools
import time
from typing import Any

from workbook.midjourney._correlate import Correlator
from workbook.midjourney._jobstate import JobState
from workbook.midjourney._parse import snowflake_at

BOT = "936929561302675456"
CH = "1069126859100524575"
UID = "439110225975443468"
T0 = time.time()
_seq = itertools.count(1)


def sid(offset_s: float) -> str:
    """A snowflake `offset_s` after T0 (unique low bits)."""
    return str(snowflake_at(T0 + offset_s, worker=next(_seq)))


def msg(mid: str, content: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "channel_id": CH,
        "author": {"id": BOT, "bot": True},
        "content": content,
        "attachments": [],
        "embeds": [],
        "components": [],
        "flags": 0,
        **extra,
    }


def grid(mid: str, prompt: str, digest: str, iid: str | None = None) -> dict[str, Any]:
    rows = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 2, "label": f"U{i}", "custom_id": f"MJ::JOB::upsample::{i}::{digest}"}
                for i in range(1, 5)
            ],
        }
    ]
    extra: dict[str, Any] = {
        "components": rows,
        "attachments": [
            {
                "id": mid,
                "filename": f"user_x_{digest}.png",
                "url": f"https://cdn.test/a/{mid}/user_x_{digest}.png",
                "width": 2048,
                "height": 2048,
            }
        ],
    }
    if iid:
        extra["interaction_metadata"] = {"id": iid, "type": 2}
    return msg(mid, f"**{prompt} --v 6.1** - <@{UID}> (fast)", **extra)


def progress(mid: str, prompt: str, percent: int, digest: str) -> dict[str, Any]:
    return msg(
        mid,
        f"**{prompt} --v 6.1** - <@{UID}> ({percent}%) (fast)",
        attachments=[{"id": "1", "filename": f"{digest}_grid_0.webp", "url": f"https://cdn.test/{digest}_grid_0.webp"}],
    )


def upscale(mid: str, prompt: str, n: int, grid_id: str) -> dict[str, Any]:
    return msg(
        mid,
        f"**{prompt} --v 6.1** - Image #{n} <@{UID}>",
        type=19,
        message_reference={"message_id": grid_id, "channel_id": CH},
        attachments=[{"id": mid, "filename": f"u_{mid}.png", "url": f"https://cdn.test/u/{mid}.png"}],
    )


def hashes(n: int) -> list[str]:
    return [f"{i:08x}-0000-4000-8000-000000000000" for i in range(1, n + 1)]


def setup(prompts: list[str], *, index: int = 1) -> tuple[Correlator, list[JobState]]:
    corr = Correlator(CH, BOT, clock_skew_s=0.5)
    jobs = [corr.add(JobState(f"job{i:02d}", p, index)) for i, p in enumerate(prompts, 1)]
    for i, job in enumerate(jobs):
        corr.submitted(job, f"nonce-{i}", T0 + i * 0.01)
    return corr, jobs


# -- v7 shapes (live captures, 2026): reply finals, markdown job links, Cancel Job buttons --------


SLOW_DOWN_TEXT = "You can request another upscale for this image"


def cancel_button(digest: str) -> dict[str, Any]:
    return {"type": 2, "style": 4, "label": "Cancel Job", "custom_id": f"MJ::CancelJob::ByJobid::{digest}"}


def waiting(mid: str, echo: str, *, nonce: str | None = None, iid: str | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {"type": 20}
    if nonce:
        extra["nonce"] = nonce
    if iid:
        extra["interaction_metadata"] = {"id": iid, "type": 2, "user": {"id": UID}}
    return msg(mid, f"**{echo}** - <@{UID}> (Waiting to start)", **extra)


def v7_progress(mid: str, echo: str, percent: int, digest: str | None = None) -> dict[str, Any]:
    """`(N%) (fast)` with the `-# ` second line; a hash only if `digest` (preview and Cancel Job)."""
    extra: dict[str, Any] = {}
    if digest:
        extra["attachments"] = [
            {"id": "1", "filename": f"{digest}_grid_0.webp", "url": f"https://cdn.test/{digest}_grid_0.webp"}
        ]
        extra["components"] = [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 4, "label": "Cancel Job", "custom_id": f"MJ::CancelJob::ByJobid::{digest}"}
                ],
            }
        ]
    return msg(
        mid, f"**{echo}** - <@{UID}> ({percent}%) (fast)\n-# Create, explore, and organize on midjourney.com", **extra
    )


def v7_final(
    mid: str, echo: str, digest: str, reply_to: str | None, *, phrase: str = "", iid: str | None = None, itype: int = 2
) -> dict[str, Any]:
    """A final grid as v7 posts it: a webp, a markdown job link and a Web button; optionally a reply."""
    final = grid(mid, echo, digest, iid=iid)
    link = f"[(Open on website for full quality)](<https://midjourney.com/jobs/{digest}>)"
    final["content"] = f"**{echo}** - {phrase}<@{UID}> {link} (fast)"
    final["attachments"][0]["filename"] = f"user_x_{digest}.webp"
    final["attachments"][0]["content_type"] = "image/webp"
    final["components"].append(
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 5, "label": "Web", "url": f"https://www.midjourney.com/jobs/{digest}?index=0"}
            ],
        }
    )
    if iid:
        final["interaction_metadata"] = {"id": iid, "type": itype, "user": {"id": UID}}
    if reply_to:
        final["type"] = 19
        final["message_reference"] = {"message_id": reply_to, "channel_id": CH}
    return final


def upscale_ack(mid: str, echo: str, n: int, *, nonce: str | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "type": 20,
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 4, "label": "Cancel Job", "custom_id": "MJ::CancelJob::ByJobid::x"}
                ],
            }
        ],
    }
    if nonce:
        extra["nonce"] = nonce
    return msg(mid, f"Upscaling image #{n} with **{echo}** - <@{UID}> (Waiting to start)", **extra)


def slow_down(mid: str, grid_id: str, retry_at: int) -> dict[str, Any]:
    return msg(
        mid,
        "",
        type=19,
        message_reference={"message_id": grid_id, "channel_id": CH},
        embeds=[
            {"title": "Slow Down!", "description": f"You can request another upscale for this image <t:{retry_at}:R>"}
        ],
    )
