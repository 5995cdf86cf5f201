"""Liveness and readiness in the IETF health-check shape (`application/health+json`).

Liveness is local and cheap (the process serves requests): a restart cannot fix Redis, so a
Redis outage must not fail it. Readiness covers Redis (a PING through the same link the API
uses) and the workers (how many consume the task queue, asked by name with a reply limit).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse

MEDIA_TYPE = "application/health+json"
ORDER = {"pass": 0, "warn": 1, "fail": 2}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def component(kind: str, status: str, value: Any, unit: str, output: str = "") -> dict[str, Any]:
    entry: dict[str, Any] = {
        "componentType": kind,
        "observedValue": value,
        "observedUnit": unit,
        "status": status,
        "time": _now(),
    }
    if output:
        entry["output"] = output
    return entry


def response(status: str, checks: dict[str, list[dict[str, Any]]], *, description: str) -> JSONResponse:
    body = {
        "status": status,
        "version": "1",
        "releaseId": "sandbox",
        "serviceId": "tasks-api",
        "description": description,
        "checks": checks,
    }
    return JSONResponse(body, status_code=503 if status == "fail" else 200, media_type=MEDIA_TYPE)


def liveness(started: float) -> JSONResponse:
    uptime = round(time.monotonic() - started, 3)
    return response("pass", {"process:uptime": [component("system", "pass", uptime, "s")]}, description="liveness")


async def readiness(
    ping: Callable[[], Awaitable[object]],
    consumers: Callable[[], Awaitable[list[str]]],
    expected_workers: int,
    *,
    always_pass: bool,
) -> JSONResponse:
    checks: dict[str, list[dict[str, Any]]] = {}
    started = time.perf_counter()
    try:
        await asyncio.wait_for(ping(), 1.0)
        redis_ok = True
        checks["redis:responseTime"] = [
            component("datastore", "pass", round((time.perf_counter() - started) * 1000, 2), "ms")
        ]
    except Exception as error:
        redis_ok = False
        checks["redis:responseTime"] = [
            component("datastore", "fail", None, "ms", f"redis unreachable: {type(error).__name__}: {error}"[:300])
        ]
    if redis_ok:
        try:
            names = await asyncio.wait_for(consumers(), 3.0)
            status = "pass" if len(names) >= expected_workers else ("warn" if names else "fail")
            output = "" if status == "pass" else f"{len(names)} of {expected_workers} workers consume the queue"
            checks["workers:consuming"] = [component("component", status, len(names), "workers", output)]
        except Exception as error:
            checks["workers:consuming"] = [
                component("component", "fail", 0, "workers", f"no answer from workers: {type(error).__name__}")
            ]
    else:
        checks["workers:consuming"] = [component("component", "fail", 0, "workers", "not asked: redis unreachable")]
    status = max((entry["status"] for entries in checks.values() for entry in entries), key=ORDER.__getitem__)
    if always_pass:  # the defect: statuses say pass whatever was observed (observed values stay true)
        status = "pass"
        for entries in checks.values():
            for entry in entries:
                entry["status"] = "pass"
                entry.pop("output", None)
    return response(status, checks, description="readiness")
