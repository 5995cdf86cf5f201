"""The studio's HTTP API: the ORFEAS seed's routes as a FastAPI app, with its defect switches.

`create_app` wires the routes (`_routes.py`) behind the raw ASGI layers (`_middleware.py`) and
publishes an OpenAPI document whose error responses say what the server really answers (400 for
invalid input, not FastAPI's default 422).
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._faults_http import faults_router
from ._middleware import API_PREFIX, BodyGuard, CorsSwitch, HangGate, PrefixSwitch
from ._routes import JSON_PATHS, UPLOAD_PATH, Studio, api_router, probe_router
from ._state import Boot, Jobs
from ._switches import StudioFaults

logger = logging.getLogger("studio")


def create_app(
    faults: StudioFaults,
    *,
    upload_dir: Path,
    boot_s: float,
    max_upload_bytes: int,
    cors_origins: list[str],
    time_scale: float = 1.0,
) -> Any:
    upload_dir.mkdir(parents=True, exist_ok=True)
    studio = Studio(faults=faults, boot=Boot(boot_s), jobs=Jobs(), upload_dir=upload_dir, time_scale=time_scale)
    app = FastAPI(title="ORFEAS studio (sandbox stand-in)", version="1.0.0")
    app.include_router(probe_router(studio))
    app.include_router(api_router(studio), prefix=API_PREFIX)
    app.include_router(faults_router(faults), include_in_schema=False)

    @app.post("/_sandbox/restart", include_in_schema=False)
    def restart() -> dict[str, Any]:
        studio.boot.restart()
        return {"restarted": True, "boot_s": studio.boot.boot_s}

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        items = [{"loc": list(e["loc"]), "msg": str(e["msg"]), "type": str(e["type"])} for e in error.errors()]
        return JSONResponse(studio.error_body(items), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return JSONResponse(studio.error_body(error.detail), status_code=error.status_code, headers=error.headers)

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> JSONResponse:
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        trace = "".join(traceback.format_exception(error))
        return JSONResponse(studio.error_body("internal server error", trace=trace), status_code=500)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _documented(get_openapi(title=app.title, version=app.version, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    guarded = BodyGuard(
        app,
        faults,
        media_types={**dict.fromkeys(JSON_PATHS, "application/json"), UPLOAD_PATH: "multipart/form-data"},
        limited=frozenset({UPLOAD_PATH}),
        max_bytes=max_upload_bytes,
    )
    return HangGate(PrefixSwitch(CorsSwitch(guarded, faults, cors_origins), faults), faults)


def _documented(document: dict[str, Any]) -> dict[str, Any]:
    """Drop FastAPI's automatic 422 (this server answers 400 for invalid input, documented per route)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document
