"""Button presses on the bot's messages: a grid's U (upscale), V (variations) and 🔄 (reroll), an
upscaled image's Vary, Upscale (Subtle|Creative), Zoom Out, Pan and heart (`_solo`), and the
moderation Appeal button. A used button turns blurple (style 1) by an edit of its message. Buttons
whose effect is not emulated (Vary (Region), Custom Zoom, Animate, Cancel Job) fail with
INTERACTION_FAILURE."""

from __future__ import annotations

import math
import re
import time

from . import _messages, _texts
from ._botcore import BotCore, Job, Json
from ._flow import JobFlow
from ._prompt import find_marker
from ._replies import embed_reply
from ._solo import SoloActions

# The per-image cooldown a "Slow Down!" imposes (emulated seconds; `mjtest:slow_down` prompts).
SLOW_DOWN_S = 10.0

_CUSTOM_ID = re.compile(r"^MJ::JOB::(?P<action>[a-z_0-9]+)::(?P<index>\d+)::(?P<hash>[0-9a-f-]{36})(?:::SOLO)?$")
_OUTPAINT = re.compile(r"^MJ::Outpaint::(?:50|75)::(?P<index>\d+)::(?P<hash>[0-9a-f-]{36})::SOLO$")
_BOOKMARK = re.compile(r"^MJ::BOOKMARK::(?P<hash>[0-9a-f-]{36})$")
_PAN = re.compile(r"^pan_(left|right|up|down)$")
# Actions that make one bigger image of the pressed one ("Upscaled by").
_UPSCALED = re.compile(r"^upsample_(?:max|v[5-7]_2x_(?:subtle|creative))$")
_VARIATIONS = {"variation": "Strong", "high_variation": "Strong", "low_variation": "Subtle"}
_APPEAL = re.compile(r"^MJ::Prompts::Appeal::(?P<job>[0-9a-f-]{36})$")


_KNOWN = frozenset({"upsample", "reroll", "outpaint", "bookmark", *_VARIATIONS})


def _emulated(action: str) -> bool:
    return action in _KNOWN or bool(_PAN.match(action) or _UPSCALED.match(action))


def _parse(custom_id: str) -> tuple[str, int, str]:
    """(action, image index, the pressed job's hash) of a Midjourney button; ("", 0, "") if unknown."""
    for pattern, action in ((_CUSTOM_ID, None), (_OUTPAINT, "outpaint"), (_BOOKMARK, "bookmark")):
        match = pattern.match(custom_id)
        if match:
            index = int(match.groupdict().get("index") or 1)
            return action or match.group("action"), index, match.group("hash")
    return "", 0, ""


class Buttons:
    def __init__(self, core: BotCore, flow: JobFlow) -> None:
        self.core = core
        self.flow = flow
        self.solo = SoloActions(core, flow)
        self._cooldown_until: dict[str, int] = {}  # parent job hash -> epoch second of the "<t:...:R>"

    def reset(self) -> None:
        self._cooldown_until.clear()

    @staticmethod
    def find(message: Json, custom_id: str) -> bool:
        return custom_id in _messages.all_custom_ids(message.get("components", []))

    def press(
        self, message: Json, custom_id: str, interaction_id: str, nonce: str | None, session_id: str | None
    ) -> None:
        """A button press on `message` (already checked to carry `custom_id`)."""
        self.core.spawn(self._run(message, custom_id, interaction_id, nonce, session_id))

    async def _run(
        self, message: Json, custom_id: str, interaction_id: str, nonce: str | None, session_id: str | None
    ) -> None:
        core = self.core
        await core.sleep(0.05)
        appeal = _APPEAL.match(custom_id)
        if appeal:
            core.emit.interaction_events(interaction_id, nonce, session_id)
            job = self.flow.pending_appeals.pop(appeal.group("job"), None)
            if job is not None:
                await self.flow.generate(job, nonce_on_start=False)
            return
        action, index, parent_hash = _parse(custom_id)
        parent = core.jobs.get(parent_hash)
        if parent is None or not _emulated(action):
            core.emit.interaction_events(interaction_id, nonce, session_id, success=False)
            return
        job = core.add(
            parent.derive(
                kind="upscale",
                interaction_id=interaction_id,
                interaction_type=3,
                nonce=nonce,
                session_id=session_id,
                submitted_at=time.time(),
                index=index,
                parent_message_id=message["id"],
                parent_hash=parent_hash,
            )
        )
        core.interaction_events(job)
        if action == "upsample" and self._slowed_down(job, message):
            return
        self._mark_used(message, custom_id, job)
        await self._act(action, job, parent, message)

    async def _act(self, action: str, job: Job, parent: Job, message: Json) -> None:
        core = self.core
        pan = _PAN.match(action)
        if action == "upsample":
            core.obs.jobs["upscale"] += 1
            await self.flow.upscale(job)
        elif _UPSCALED.match(action):
            job.kind = "upscaled"
            await self.solo.upscaled(job, parent, action.rsplit("_", 1)[-1].title())
        elif action == "reroll":
            job.kind = "reroll"
            core.obs.jobs["reroll"] += 1
            await self.flow.generate(job)
        elif action in _VARIATIONS:
            job.kind = "variation"
            named = core.settings.shapes.named_variations
            job.label = f"Variations ({_VARIATIONS[action]}) by " if named else "Variations by "
            core.obs.jobs["variation"] += 1
            await self.flow.generate(job)
        elif pan:
            await self.solo.pan(job, pan.group(1))
        elif action == "outpaint":
            await self.solo.zoom(job)
        else:
            job.kind = "bookmark"
            self.solo.bookmark(job, message)

    def _slowed_down(self, job: Job, message: Json) -> bool:
        """A `mjtest:slow_down` prompt's first U press, and every press before the cooldown it names
        has passed, get "Slow Down!" as a reply to the grid (as Mutiny-SDK's capture shows)."""
        core = self.core
        assert job.parent_hash is not None
        if find_marker(job.prompt) != "slow_down":
            return False
        now = time.time()
        until = self._cooldown_until.get(job.parent_hash)
        if until is not None and now >= until:
            return False
        if until is None:
            until = math.ceil(now + core.settings.scaled(SLOW_DOWN_S))
            self._cooldown_until[job.parent_hash] = until
        text = f"{_texts.SLOW_DOWN_TEXT} <t:{until}:R>"
        reply = embed_reply(
            core, job, message["id"], _texts.SLOW_DOWN_TITLE, text, _messages.WARNING_COLOR, referenced=message
        )
        if job.nonce:
            reply["nonce"] = job.nonce
        core.create(reply, "slow_down", job)
        job.status = "error:slow_down"
        core.obs.jobs["slow_down"] += 1
        return True

    def _mark_used(self, message: Json, custom_id: str, job: Job) -> None:
        current = self.core.store.get(message["id"])
        if current is None:
            return
        current["components"] = _messages.mark_button_used(current.get("components", []), custom_id)
        self.core.update(current, "button_used", job)
