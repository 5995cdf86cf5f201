"""Every message shape the emulator sends is traceable to a capture or a documented proxy fixture.

For each era the emulator is driven through every kind of message its era table
(`_provenance.SHAPES`) lists — imagine (waiting, progress, grid), U1 (acknowledgement, image),
V1 (variation progress and grid), and each button of the upscaled image that makes a result —
and each aspect of what it sent (content form, buttons, attachment name form and type, message
type) is compared with the fixture the table names for it. Aspects the table marks INFERRED must
say why. A control proves the comparison catches a wrong shape: a Cancel Job row added to the v7
/imagine progress (what the emulator used to send) no longer matches its source.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from workbook.sandbox.discord._provenance import ASPECTS, INFERRED, NONE, SHAPES, Shape

from ._support import Emu, apost_interaction, gateway, is_grid, run, with_nonce

Json = dict[str, Any]
FIXTURES = Path(__file__).parents[1] / "midjourney" / "fixtures"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The upscaled image's buttons that make a result, and the kind of message each result is.
SOLO_RESULTS = (
    (re.compile(r"^MJ::Outpaint::50::"), "zoom_grid"),
    (re.compile(r"^MJ::JOB::pan_right::"), "pan_grid"),
    (re.compile(r"^MJ::JOB::upsample_(?:v\d_2x_creative|max)::"), "upscaled"),
    (re.compile(r"^MJ::BOOKMARK::"), "bookmark"),
)


# -- signatures: what of an aspect must match, with the run-specific parts abstracted --------------


def _content(text: str) -> str:
    text = re.sub(r"https://midjourney\.com/jobs/[^>)\s]+", "https://midjourney.com/jobs/{h}", text)
    text = re.sub(r"https://discord\.com/channels/\d+/\d+/\d+", "{message link}", text)
    text = re.sub(r"\*\*.+?\*\*", "**{p}**", text, count=1, flags=re.S)
    text = re.sub(r"<@\d+>", "<@{u}>", text)
    text = re.sub(r"\(\d+%\)", "({n}%)", text)
    text = re.sub(r"#\d\b", "#{i}", text)
    return re.sub(r"\((?:fast|relaxed|turbo)(?:, stealth)?\)", "({mode})", text)


def _buttons(components: list[Json]) -> list[tuple[Any, ...]]:
    """Flattened in order (captures list buttons without their rows); a used button's blurple
    (style 1) counts as its unused grey (2); emoji are not compared (captures omit them)."""
    flat = []
    for row in components:
        for b in row.get("components", []):
            style = 2 if b.get("style") in (1, 2) else b.get("style")
            target = UUID.sub("{h}", str(b.get("custom_id") or b.get("url") or ""))
            flat.append((b.get("type"), style, b.get("label"), target))
    return flat


def _attachment(message: Json) -> tuple[str, str] | None:
    attachments = message.get("attachments") or []
    if not attachments:
        return None
    first = attachments[0]
    name = UUID.sub("{h}", first["filename"])
    name = name[name.rindex("_{h}") :] if "_{h}" in name else name  # `<user>_<words>_<uuid>.ext` -> `_{h}.ext`
    return name, first["content_type"]


def signature(aspect: str, message: Json) -> Any:
    if aspect == "content":
        return _content(message["content"])
    if aspect == "components":
        return _buttons(message.get("components") or [])
    if aspect == "attachment":
        return _attachment(message)
    return message["type"]


def source(ref: str) -> Json:
    """The fixture a table entry names, as a message-like object."""
    name, _, selector = ref.partition("#")
    data = json.loads((FIXTURES / name).read_text())
    if selector.isdigit():
        data = data[int(selector)]
    elif selector:
        data = {"components": data[selector]}
    return data if isinstance(data, dict) else {"components": data}


# -- driving the emulator through every kind of message -------------------------------------------


def _result_of(nonce: str, after: float) -> Any:
    """A predicate: the first message a press made after `after` that is not its acknowledgement
    or its waiting message (both carry the press's nonce). Presses here are sequential."""

    def match(frame: Json) -> bool:
        if frame.get("t") != "MESSAGE_CREATE" or frame["_received_at"] < after:
            return False
        return frame["d"].get("nonce") != nonce and "(Waiting to start)" not in frame["d"]["content"]

    return match


async def _press(emu: Emu, gw: Any, http: Any, message: Json, custom_id: str) -> tuple[Json, float]:
    body = emu.button_body(message, custom_id, session_id=gw.session_id or "")
    pressed = time.time()
    assert (await apost_interaction(http, body)).status_code == 204
    return body, pressed


def _custom_id(message: Json, pattern: re.Pattern[str]) -> str | None:
    ids = [b.get("custom_id", "") for row in message["components"] for b in row["components"]]
    return next((i for i in ids if pattern.match(i)), None)


async def _walk(emu: Emu, era: str) -> dict[str, Json]:
    sent: dict[str, Json] = {}
    async with gateway(emu) as gw, emu.aclient() as http:
        body = emu.imagine_body("a lighthouse on a cliff", session_id=gw.session_id or "")
        await apost_interaction(http, body)
        sent["waiting"] = (await gw.wait(with_nonce("MESSAGE_CREATE", body["nonce"])))["d"]
        waiting_id = sent["waiting"]["id"]
        sent["progress"] = (
            await gw.wait(
                lambda f: f.get("t") == "MESSAGE_UPDATE" and f["d"]["id"] == waiting_id and f["d"]["attachments"]
            )
        )["d"]
        grid = sent["grid"] = (await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"])))["d"]
        press, at = await _press(emu, gw, http, grid, grid["components"][0]["components"][0]["custom_id"])
        if "upscale_ack" in SHAPES[era]:
            sent["upscale_ack"] = (await gw.wait(with_nonce("MESSAGE_CREATE", press["nonce"])))["d"]
        solo = sent["upscale"] = (await gw.wait(_result_of(press["nonce"], at)))["d"]
        press, at = await _press(emu, gw, http, grid, grid["components"][1]["components"][0]["custom_id"])
        varying = (await gw.wait(with_nonce("MESSAGE_CREATE", press["nonce"])))["d"]["id"]
        sent["variation_progress"] = (
            await gw.wait(
                lambda f: f.get("t") == "MESSAGE_UPDATE" and f["d"]["id"] == varying and f["d"]["attachments"]
            )
        )["d"]
        sent["variation_grid"] = (
            await gw.wait(
                lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"]) and "Variations" in f["d"]["content"]
            )
        )["d"]
        for pattern, kind in SOLO_RESULTS:
            custom_id = _custom_id(solo, pattern)
            if custom_id is None:
                continue
            press, at = await _press(emu, gw, http, solo, custom_id)
            sent[kind] = (await gw.wait(_result_of(press["nonce"], at), timeout=20))["d"]
    return sent


@pytest.mark.parametrize("era", sorted(SHAPES))
def test_every_shape_the_emulator_sends_matches_its_source(emu: Emu, era: str) -> None:
    emu.admin_call("PUT", "/settings", {"era": era})
    sent = run(_walk(emu, era))
    assert set(sent) == set(SHAPES[era]), f"{era}: sent {sorted(sent)}, the table lists {sorted(SHAPES[era])}"
    mismatches = []
    for kind, shape in SHAPES[era].items():
        for aspect in ASPECTS:
            ref = getattr(shape, aspect)
            if ref == INFERRED:
                continue
            expected = None if aspect == "attachment" and ref == NONE else signature(aspect, source(ref))
            got = signature(aspect, sent[kind])
            if got != expected:
                mismatches.append(f"{era} {kind} {aspect} ({ref}):\n  sent   {got!r}\n  source {expected!r}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(("era", "kind"), [(e, k) for e, kinds in SHAPES.items() for k in kinds])
def test_the_table_names_real_fixtures_and_explains_every_inference(era: str, kind: str) -> None:
    shape: Shape = SHAPES[era][kind]
    for aspect in ASPECTS:
        ref = getattr(shape, aspect)
        if ref == INFERRED:
            assert f"{aspect}:" in shape.why or (aspect == "type" and "type" in shape.why), (era, kind, aspect)
        elif ref != NONE:
            source(ref)  # exists, parses, the selector resolves


def test_the_walk_catches_a_shape_no_capture_shows(emu: Emu) -> None:
    """Control: the /imagine progress the emulator sent before issue 25 (a Cancel Job row) fails."""
    emu.admin_call("PUT", "/settings", {"era": "v7"})
    progress = dict(run(_walk(emu, "v7"))["progress"])
    expected = signature("components", source(SHAPES["v7"]["progress"].components))
    assert signature("components", progress) == expected == []
    job_hash = UUID.search(progress["attachments"][0]["filename"])
    assert job_hash is not None
    cancel = {"type": 2, "style": 4, "label": "Cancel Job", "custom_id": f"MJ::CancelJob::ByJobid::{job_hash.group()}"}
    progress["components"] = [{"type": 1, "components": [cancel]}]
    assert signature("components", progress) != expected
