"""Button presses on the bot's messages: U (upscale), V / Vary (variations), 🔄 (reroll) and the
moderation Appeal button. A used button turns blurple (style 1) by an edit of its message."""

from __future__ import annotations

import math
import re
import time

from . import _messages, _texts
from ._botcore import BotCore, Job, Json
from ._flow import JobFlow
from ._prompt import find_marker
from ._replies import embed_reply

# The per-image cooldown a "Slow Down!" imposes (emulated seconds; `mjtest:slow_down` prompts).
SLOW_DOWN_S = 10.0

_CUSTOM_ID = re.compile(r"^MJ::JOB::(?P<action>[a-z_0-9]+)::(?P<index>\d+)::(?P<hash>[0-9a-f-]{36})(?:::SOLO)?$")
_APPEAL = re.compile(r"^MJ::Prompts::Appeal::(?P<job>[0-9a-f-]{36})$")


class Buttons:
    def __init__(self, core: BotCore, flow: JobFlow) -> None:
        self.core = core
        self.flow = flow
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
        match = _CUSTOM_ID.match(custom_id)
        parent_hash = match.group("hash") if match else ""
        parent = core.jobs.get(parent_hash)
        if match is None or parent is None:
            core.emit.interaction_events(interaction_id, nonce, session_id, success=False)
            return
        action, index = match.group("action"), int(match.group("index"))
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
        if action == "upsample":
            core.obs.jobs["upscale"] += 1
            await self.flow.upscale(job)
        elif action == "reroll":
            job.kind = "reroll"
            core.obs.jobs["reroll"] += 1
            await self.flow.generate(job)
        else:
            job.kind = "variation"
            strength = "Subtle" if action == "low_variation" else "Strong"
            job.label = f"Variations ({strength}) by "
            core.obs.jobs["variation"] += 1
            await self.flow.generate(job)

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
