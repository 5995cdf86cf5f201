"""One emulator instance: identity, settings, fault switches, channel, rate limiter, gateway hub and
bot. The REST, admin and gateway routes all reach it through `EMULATOR_KEY` on the application,
so this module imports none of them (no import circle between the route modules)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from aiohttp import web

from .._faults import FaultSwitches
from . import _images
from ._bot import MidjourneyBot
from ._botcore import BotCore
from ._config import FAULT_SWITCHES, EmulatorConfig, Settings
from ._gateway import GatewayHub
from ._ratelimit import RateLimiter
from ._snowflake import SnowflakeGenerator
from ._store import ChannelStore, Observability


class Emulator:
    def __init__(self, config: EmulatorConfig, settings: Settings, initial_faults: Mapping[str, Any] | None = None):
        self.config = config
        self.settings = settings
        self._initial_settings = copy.deepcopy(settings)
        self.faults = FaultSwitches(FAULT_SWITCHES, initial_faults)
        self.obs = Observability()
        self.store = ChannelStore()
        self.ids = SnowflakeGenerator()
        self.limiter = RateLimiter(settings.time_scale)
        self.gateway = GatewayHub(config, settings, self.faults, self.obs)
        self.bot = MidjourneyBot(BotCore(config, settings, self.faults, self.store, self.gateway, self.obs, self.ids))

    def consume_fault(self, name: str) -> None:
        """One occurrence of a count-valued switch was used (counted in /stats)."""
        self.bot.core.use_fault(name)

    async def set_faults(self, changes: Mapping[str, Any]) -> None:
        self.faults.update(changes)
        await self.apply_fault_effects(changes)

    async def apply_fault_effects(self, changes: Mapping[str, Any]) -> None:
        """Switches that act at the moment they are turned on rather than on later traffic."""
        if changes.get("gateway_down"):
            self.gateway.drop_all()
        stale = changes.get("stale_history")
        if isinstance(stale, list):
            await self.bot.seed_stale_history([str(p) for p in stale])

    def apply_settings(self) -> None:
        self.limiter.time_scale = self.settings.time_scale
        self.bot.apply_settings()

    def reset(self) -> None:
        for item in fields(self.settings):
            setattr(self.settings, item.name, copy.deepcopy(getattr(self._initial_settings, item.name)))
        self.apply_settings()
        self.bot.reset()
        self.gateway.reset()
        self.store.clear()
        self.obs.clear()
        self.limiter.reset()
        self.faults.clear()

    async def render(self, kind: str, job_hash: str, index: int, width: int, height: int) -> bytes:
        return await asyncio.to_thread(_images.render, kind, job_hash, index, width, height)


EMULATOR_KEY: web.AppKey[Emulator] = web.AppKey("emulator", Emulator)
