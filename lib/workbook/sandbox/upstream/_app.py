"""The mock external API: deterministic asset bytes, `.difypkg` packages and a PyPI-style simple
index (seed 003's download source), switchable failure answers, a request log."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from .._faults_http import faults_router
from . import _packages as packages
from ._switches import AnswerSwitches

DEFAULT_SIZE = 64 * 1024
MAX_SIZE = 256 * 1024 * 1024
MISSING_PREFIX = "missing-"


def asset_bytes(name: str, size: int) -> bytes:
    """The asset's content: a SHA-256 counter stream seeded by its name (same name, same bytes)."""
    seed = hashlib.sha256(name.encode()).digest()
    blocks = (size + 31) // 32
    return b"".join(hashlib.sha256(seed + index.to_bytes(8, "big")).digest() for index in range(blocks))[:size]


def create_app(switches: AnswerSwitches) -> FastAPI:
    app = FastAPI(title="sandbox upstream (mock external API)")
    app.include_router(faults_router(switches))
    log: list[dict[str, Any]] = []

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "pass", "requests": len(log)}

    @app.get("/_sandbox/requests")
    def requests() -> dict[str, Any]:
        return {"requests": log}

    @app.delete("/_sandbox/requests")
    def clear_requests() -> dict[str, Any]:
        log.clear()
        return {"requests": []}

    @app.get("/v1/assets/{name}")
    async def asset(name: str, request: Request, size: int = DEFAULT_SIZE) -> Response:
        entry: dict[str, Any] = {
            "time": time.time(),
            "path": request.url.path,
            "task_id": request.headers.get("x-task-id", ""),
            "correlation_id": request.headers.get("x-correlation-id", ""),
        }
        log.append(entry)
        if name.startswith(MISSING_PREFIX):
            return _status(entry, 404, f"asset {name!r} does not exist")
        if not 0 < size <= MAX_SIZE:
            return _status(entry, 400, f"size {size} out of range 1..{MAX_SIZE}")
        if switches.take("status_500"):
            return _status(entry, 500, "internal error (switch status_500)")
        if switches.take("status_503"):
            return _status(entry, 503, "service unavailable (switch status_503)")
        if switches.take("status_429"):
            retry_after = int(switches.value("retry_after_s", 1))
            entry["retry_after_s"] = retry_after
            return _status(entry, 429, "rate limited (switch status_429)", {"Retry-After": str(retry_after)})
        if switches.take("timeout"):
            entry["hung_s"] = float(switches.value("hang_s", 5))
            await asyncio.sleep(entry["hung_s"])
        data = asset_bytes(name, size)
        entry["status"] = 200
        entry["bytes"] = size
        headers = {"X-Asset-Sha256": hashlib.sha256(data).hexdigest()}
        rate = switches.value("slow_body")
        if rate:
            entry["slow_body_bps"] = rate
            return StreamingResponse(
                _paced(data, int(rate)),
                media_type="application/octet-stream",
                headers={**headers, "Content-Length": str(size)},
            )
        return Response(data, media_type="application/octet-stream", headers=headers)

    @app.api_route("/packages/{variant}/{filename}", methods=["GET", "HEAD"])
    async def package(variant: str, filename: str, request: Request) -> Response:
        """A plugin package. The answer switches affect GETs (each counted); a HEAD answers what a
        GET would get now without using one up (the platform HEADs for the size, then GETs)."""
        entry = _entry(request, "package")
        log.append(entry)
        name = filename.removesuffix(packages.PACKAGE_SUFFIX)
        if not filename.endswith(packages.PACKAGE_SUFFIX) or not packages.SAFE.match(variant + name):
            return _status(entry, 404, f"no package {variant}/{filename}")
        if name.startswith(MISSING_PREFIX) or variant.startswith(MISSING_PREFIX):
            return _status(entry, 404, f"package {variant}/{filename} does not exist")
        answer = await _switched(entry, switches, counted=request.method == "GET")
        if answer is not None:
            return answer
        data = packages.package_bytes(variant, name)
        entry.update(status=200, bytes=len(data))
        headers = {"Content-Length": str(len(data)), "Content-Disposition": f'attachment; filename="{filename}"'}
        if request.method == "HEAD":
            return Response(b"", media_type="application/octet-stream", headers=headers)
        return Response(data, media_type="application/octet-stream", headers=headers)

    @app.get("/simple/")
    def simple_root(request: Request) -> Response:
        log.append({**_entry(request, "index"), "status": 200})
        return HTMLResponse(packages.index_root_html())

    @app.get("/simple/{project}/")
    def simple_project(project: str, request: Request) -> Response:
        entry = _entry(request, "index")
        log.append(entry)
        page = packages.index_project_html(project)
        if page is None:
            return _status(entry, 404, f"no project {project!r} in this index")
        entry["status"] = 200
        return HTMLResponse(page)

    @app.get("/wheels/{filename}")
    def wheel(filename: str, request: Request) -> Response:
        entry = _entry(request, "wheel")
        log.append(entry)
        release = packages.release_by_filename(filename)
        if release is None:
            return _status(entry, 404, f"no wheel {filename!r}")
        data = packages.wheel_bytes(release)
        entry.update(status=200, bytes=len(data))
        return Response(data, media_type="application/octet-stream")

    return app


def _entry(request: Request, kind: str) -> dict[str, Any]:
    return {
        "time": time.time(),
        "kind": kind,
        "method": request.method,
        "path": request.url.path,
        "user_agent": request.headers.get("user-agent", ""),
        "task_id": request.headers.get("x-task-id", ""),
        "correlation_id": request.headers.get("x-correlation-id", ""),
    }


async def _switched(entry: dict[str, Any], switches: AnswerSwitches, *, counted: bool) -> Response | None:
    """The failure answer the switches ask for now (None: answer normally)."""
    check = switches.take if counted else switches.pending
    if check("status_500"):
        return _status(entry, 500, "internal error (switch status_500)")
    if check("status_503"):
        return _status(entry, 503, "service unavailable (switch status_503)")
    if check("status_429"):
        retry_after = int(switches.value("retry_after_s", 1))
        entry["retry_after_s"] = retry_after
        return _status(entry, 429, "rate limited (switch status_429)", {"Retry-After": str(retry_after)})
    if counted and switches.take("timeout"):
        entry["hung_s"] = float(switches.value("hang_s", 5))
        await asyncio.sleep(entry["hung_s"])
    return None


def _status(entry: dict[str, Any], status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    entry["status"] = status
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _paced(data: bytes, bytes_per_s: int) -> AsyncIterator[bytes]:
    step = max(1, bytes_per_s // 10)
    for start in range(0, len(data), step):
        yield data[start : start + step]
        await asyncio.sleep(0.1)
