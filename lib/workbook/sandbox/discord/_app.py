"""Wiring: `build_app` serves REST, Gateway, CDN and admin routes of one `Emulator` from one aiohttp
application on 127.0.0.1; `serve` runs it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from . import _admin, _rest
from ._config import EmulatorConfig, Settings
from ._emulator import EMULATOR_KEY, Emulator


def build_app(emulator: Emulator) -> web.Application:
    app = web.Application(middlewares=[_rest.api_middleware], client_max_size=32 * 1024 * 1024)
    app[EMULATOR_KEY] = emulator
    _rest.add_routes(app)
    _admin.add_routes(app)
    app.router.add_get("/gateway", emulator.gateway.handle)
    app.router.add_get("/gateway/", emulator.gateway.handle)
    app.router.add_get("/gateway-resume", emulator.gateway.handle)
    app.router.add_get("/gateway-resume/", emulator.gateway.handle)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await emulator.apply_fault_effects(emulator.faults.snapshot()["faults"])
        yield
        await emulator.gateway.close_all()
        await emulator.bot.shutdown()

    async def on_shutdown(app: web.Application) -> None:
        with contextlib.suppress(Exception):
            await emulator.gateway.close_all()

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(on_shutdown)
    return app


def serve(config: EmulatorConfig, settings: Settings) -> None:
    """Run until SIGTERM/SIGINT (aiohttp turns both into a graceful exit)."""
    emulator = Emulator(config, settings)
    web.run_app(
        build_app(emulator),
        host=config.host,
        port=config.port,
        print=None,
        access_log=None,
        shutdown_timeout=2.0,
    )
