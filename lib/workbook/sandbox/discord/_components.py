"""The bot's buttons per era: the grid's U/🔄/V rows, Cancel Job, and the buttons of an upscaled
single image ("Image #N", "Upscaled by"), which differ most between eras.

Sources (the emulator's shape provenance table is `_provenance.SHAPES`): the v7 "Image #N"
buttons are the 16 of the live capture of 2026-06-02 (greenrosesystems/cascade-img,
`reviews/wave-f-receive-capture.md` §1: custom_id, label, style, in this order; the capture lists
them flattened, so the grouping into rows here is inferred, one family per row and at most five
per row as Discord allows); the v7 "Upscaled by" buttons are that capture's §2 label list (their
custom_ids are not captured: inferred from the same families); v6 labels are the imaginepro
sample in the reference notes §3.5 with the `upsample_v6_2x_*` ids of §2.2; v5's two Vary
buttons and v4's "Make Variations" / "Upscale to Max" are §2.2's older forms. Pan and bookmark
buttons carry no label in the capture: they get the arrow and heart emoji of §3.5.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
SECONDARY, DANGER, LINK = 2, 4, 5
PAN_EMOJI = {"left": "⬅️", "right": "➡️", "up": "⬆️", "down": "⬇️"}


def button(custom_id: str, label: str | None = None, emoji: str | None = None, style: int = SECONDARY) -> Json:
    result: Json = {"type": 2, "style": style, "custom_id": custom_id}
    if label:
        result["label"] = label
    if emoji:
        result["emoji"] = {"name": emoji}
    return result


def row(*buttons: Json) -> Json:
    return {"type": 1, "components": list(buttons)}


def link_button(job_hash: str) -> Json:
    return {"type": 2, "style": LINK, "label": "Web", "url": f"https://www.midjourney.com/jobs/{job_hash}?index=0"}


def cancel_row(job_hash: str) -> list[Json]:
    return [row(button(f"MJ::CancelJob::ByJobid::{job_hash}", "Cancel Job", style=DANGER))]


def grid_components(job_hash: str) -> list[Json]:
    return [
        row(
            *(button(f"MJ::JOB::upsample::{i}::{job_hash}", f"U{i}") for i in range(1, 5)),
            button(f"MJ::JOB::reroll::0::{job_hash}::SOLO", emoji="🔄"),
        ),
        row(*(button(f"MJ::JOB::variation::{i}::{job_hash}", f"V{i}") for i in range(1, 5))),
    ]


def _job(action: str, h: str, label: str | None = None, emoji: str | None = None) -> Json:
    return button(f"MJ::JOB::{action}::1::{h}::SOLO", label, emoji)


def _pans(h: str) -> Json:
    return row(*(_job(f"pan_{d}", h, emoji=e) for d, e in PAN_EMOJI.items()))


def _image_rows(h: str, version: str) -> list[Json]:
    """The rows v6 and v7 share: the two upscalers of that version, Vary, Zoom Out, the pans."""
    return [
        row(
            _job(f"upsample_{version}_2x_subtle", h, "Upscale (Subtle)"),
            _job(f"upsample_{version}_2x_creative", h, "Upscale (Creative)"),
        ),
        row(
            _job("low_variation", h, "Vary (Subtle)"),
            _job("high_variation", h, "Vary (Strong)"),
            button(f"MJ::Inpaint::1::{h}::SOLO", "Vary (Region)"),
        ),
        row(
            button(f"MJ::Outpaint::50::1::{h}::SOLO", "Zoom Out 2x"),
            button(f"MJ::Outpaint::75::1::{h}::SOLO", "Zoom Out 1.5x"),
            button(f"MJ::CustomZoom::{h}", "Custom Zoom"),
        ),
        _pans(h),
    ]


def _animate_heart_web(h: str) -> list[Json]:
    return [
        _job("animate_high", h, "Animate (High motion)"),
        _job("animate_low", h, "Animate (Low motion)"),
        button(f"MJ::BOOKMARK::{h}", emoji="❤️"),
        link_button(h),
    ]


def _v7_image(h: str) -> list[Json]:
    return [*_image_rows(h, "v7"), row(*_animate_heart_web(h))]


def _v6_image(h: str) -> list[Json]:
    return [*_image_rows(h, "v6"), row(button(f"MJ::BOOKMARK::{h}", emoji="❤️"), link_button(h))]


def _v7_upscaled(h: str) -> list[Json]:
    return [
        row(
            _job("upsample_v7_2x_subtle", h, "Redo Upscale (Subtle)"),
            _job("upsample_v7_2x_creative", h, "Redo Upscale (Creative)"),
        ),
        row(_job("low_variation", h, "Vary (Subtle)"), _job("high_variation", h, "Vary (Strong)")),
        row(*_animate_heart_web(h)),
    ]


def _v5_image(h: str) -> list[Json]:
    return [row(_job("high_variation", h, "Vary (Strong)"), _job("low_variation", h, "Vary (Subtle)"))]


def _v4_image(h: str) -> list[Json]:
    return [row(_job("variation", h, "Make Variations"), _job("upsample_max", h, "Upscale to Max"))]


SOLO_LAYOUTS = {"v7": _v7_image, "v6": _v6_image, "v5": _v5_image, "v4": _v4_image}


def solo_components(layout: str, job_hash: str) -> list[Json]:
    """The buttons of an "Image #N" (v4: "Upscaled by") message in the era named `layout`."""
    return SOLO_LAYOUTS[layout](job_hash)


def upscaled_components(layout: str, job_hash: str) -> list[Json]:
    """The buttons of an "Upscaled by" result of Upscale (Subtle|Creative) pressed on an image."""
    return _v7_upscaled(job_hash) if layout == "v7" else solo_components(layout, job_hash)
