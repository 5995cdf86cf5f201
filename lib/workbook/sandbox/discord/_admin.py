"""Admin endpoints under `{admin_url}` (no auth, not rate limited, not counted as REST calls).

GET    /health                 -> 200 {"status": "ok", ...}
GET|PUT|DELETE /_sandbox/faults   fault-switch contract of workbook.sandbox._faults
POST   /reset                  -> history, jobs, sessions, counters, limits, faults all cleared
GET    /stats                  -> counters (REST calls by route, 429s sent, gateway, jobs)
GET    /emitted?after_seq=N    -> emitted events with their emit timestamps
GET    /jobs                   -> the bot's jobs (hash, nonce, status, message ids)
GET|PUT /settings              -> time_scale, mode, suffix, concurrency, queue_size, image_base, era, ...
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from aiohttp import web

from .._faults import FAULTS_PATH
from ._config import Timings
from ._emulator import EMULATOR_KEY
from ._eras import ERAS

ADMIN_PREFIX = "/admin"


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body), status=status, content_type="application/json")


def _error(message: str, status: int = 400) -> web.Response:
    return _json({"message": message, "code": 0}, status)


async def health(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    return _json(
        {
            "status": "ok",
            "service": "discord",
            "messages": len(emulator.store),
            "jobs_running": len(emulator.bot.core.scheduler.running),
            "jobs_waiting": len(emulator.bot.core.scheduler.waiting),
            "gateway_sessions": len(emulator.gateway.sessions),
            "time_scale": emulator.settings.time_scale,
        }
    )


async def get_faults(request: web.Request) -> web.Response:
    return _json(request.app[EMULATOR_KEY].faults.snapshot())


async def put_faults(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    try:
        changes = await request.json()
    except ValueError:
        return _error("body must be a JSON object")
    if not isinstance(changes, dict):
        return _error("body must be a JSON object")
    try:
        await emulator.set_faults(changes)
    except ValueError as error:
        return _error(str(error))
    return _json(emulator.faults.snapshot())


async def delete_faults(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    emulator.faults.clear()
    return _json(emulator.faults.snapshot())


async def reset(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    emulator.reset()
    return _json({"reset": True})


async def stats(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    return _json(
        {
            **emulator.obs.snapshot(),
            "gateway_sessions": len(emulator.gateway.sessions),
            "gateway_connected": emulator.gateway.connected_sessions,
        }
    )


async def emitted(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    try:
        after = int(request.query.get("after_seq", "0"))
    except ValueError:
        return _error("after_seq must be an integer")
    return _json({"emitted": [e for e in emulator.obs.emitted if e["emit_seq"] > after]})


async def jobs(request: web.Request) -> web.Response:
    return _json({"jobs": request.app[EMULATOR_KEY].bot.job_table()})


async def get_settings(request: web.Request) -> web.Response:
    return _json(asdict(request.app[EMULATOR_KEY].settings))


async def put_settings(request: web.Request) -> web.Response:
    """Validate every change first, then apply them all, so a bad request changes nothing."""
    emulator = request.app[EMULATOR_KEY]
    try:
        changes = await request.json()
    except ValueError:
        return _error("body must be a JSON object")
    settings = emulator.settings
    known = {f.name for f in fields(settings)}
    if not isinstance(changes, dict) or set(changes) - known:
        return _error(f"unknown setting(s); known: {sorted(known)}")
    for name, value in changes.items():
        problem = _check_setting(name, value, getattr(settings, name))
        if problem:
            return _error(problem)
    for name, value in changes.items():
        if name == "timings":
            for key, seconds in value.items():
                setattr(settings.timings, key, float(seconds))
        else:
            setattr(settings, name, type(getattr(settings, name))(value))
    emulator.apply_settings()
    return _json(asdict(settings))


_CHOICES: dict[str, tuple[str, ...]] = {
    "mode": ("fast", "relaxed", "turbo"),
    "era": tuple(ERAS),
    "grid_format": ("", "webp", "png"),
    "progress_delete": ("before", "after", "never"),
}
_LIMITS: dict[str, tuple[float, float]] = {
    "time_scale": (1e-3, 1e6),
    "concurrency": (1, 100),
    "queue_size": (0, 1000),
    "image_base": (64, 2048),
}


def _check_setting(name: str, value: Any, current: Any) -> str | None:
    if name == "timings":
        timing_names = {f.name for f in fields(Timings)}
        if not isinstance(value, dict) or set(value) - timing_names:
            return f"timings keys: {sorted(timing_names)}"
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value.values()):
            return "timings must be non-negative numbers of emulated seconds"
        return None
    numeric_ok = isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool)
    if not isinstance(value, type(current)) and not numeric_ok:
        return f"setting {name!r} must be {type(current).__name__}"
    if name in _CHOICES and value not in _CHOICES[name]:
        return f"setting {name!r} must be one of {list(_CHOICES[name])}"
    if name in _LIMITS:
        low, high = _LIMITS[name]
        if not low <= value <= high:
            return f"setting {name!r} must be between {low:g} and {high:g}"
    return None


def add_routes(app: web.Application) -> None:
    prefix = ADMIN_PREFIX
    app.router.add_get(prefix + "/health", health)
    app.router.add_get(prefix + FAULTS_PATH, get_faults)
    app.router.add_put(prefix + FAULTS_PATH, put_faults)
    app.router.add_delete(prefix + FAULTS_PATH, delete_faults)
    app.router.add_post(prefix + "/reset", reset)
    app.router.add_get(prefix + "/stats", stats)
    app.router.add_get(prefix + "/emitted", emitted)
    app.router.add_get(prefix + "/jobs", jobs)
    app.router.add_get(prefix + "/settings", get_settings)
    app.router.add_put(prefix + "/settings", put_settings)
