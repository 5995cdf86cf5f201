"""The Midjourney bot: turns accepted interactions into the message flow the real bot produces.

It wires the bot's parts (shared core `_botcore`, job flow `_flow`, buttons `_buttons`, fault
behaviours `_bot_faults`, stale-history seeding `_stale`) into the one object the REST layer calls
after validating an interaction and before it answers 204.
"""

from __future__ import annotations

from ._bot_faults import FaultBehaviours
from ._botcore import BotCore, Json
from ._buttons import Buttons
from ._flow import JobFlow
from ._stale import StaleHistory


class MidjourneyBot:
    def __init__(self, core: BotCore) -> None:
        self.core = core
        self.stale = StaleHistory(self.core)
        self.flow = JobFlow(self.core, FaultBehaviours(self.core), self.stale)
        self.buttons = Buttons(self.core, self.flow)

    def reset(self) -> None:
        self.core.reset()
        self.flow.reset()
        self.stale.reset()
        self.buttons.reset()

    async def shutdown(self) -> None:
        await self.core.shutdown()

    def apply_settings(self) -> None:
        self.core.apply_settings()

    # -- entry points (called by the REST layer after validation, before it answers 204) ---------

    def imagine(self, prompt: str, interaction_id: str, nonce: str | None, session_id: str | None) -> None:
        self.flow.imagine(prompt, interaction_id, nonce, session_id)

    def find_button(self, message: Json, custom_id: str) -> bool:
        return self.buttons.find(message, custom_id)

    def component(
        self, message: Json, custom_id: str, interaction_id: str, nonce: str | None, session_id: str | None
    ) -> None:
        self.buttons.press(message, custom_id, interaction_id, nonce, session_id)

    async def seed_stale_history(self, prompts: list[str]) -> int:
        return await self.stale.seed_prompts(prompts)

    def job_table(self) -> list[Json]:
        return [job.row() for job in self.core.jobs.values()]
