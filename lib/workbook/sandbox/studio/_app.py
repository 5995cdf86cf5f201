"""`create_app`: ORFEAS's routes (`_routes.py`) behind Werkzeug's and flask-cors's outward shape
(`_middleware.py`), plus the sandbox admin endpoints (faults, options, restart).

The state folder is laid out as ORFEAS's backend folder: `uploads/`, `outputs/`, `temp/` and,
beside them, `openapi.yaml` — the API description kept as a file and never served (ORFEAS keeps
its `openapi.yaml` in `backend/`, the folder above `backend/outputs/`). The file is rewritten when
`undocumented_routes` changes, so a notebook opened afterwards reads what the switch says.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from fastapi import Body, FastAPI, HTTPException
from starlette.routing import Route

from .._faults_http import faults_router
from ._middleware import ApiKeyGate, FlaskCors, HangGate, WerkzeugShape
from ._routes import Studio, routes
from ._state import Boot, Jobs
from ._switches import OPTIONS_PATH, StudioFaults, StudioOptions

OPENAPI = Path(__file__).with_name("openapi.yaml")
# The paths ORFEAS's own backend/openapi.yaml does not list although its server serves them.
UNDOCUMENTED = (
    "/health",
    "/ready",
    "/api/download-base64/{job_id}/{filename}",
    "/api/preview-output/{job_id}/{filename}",
)


def layout(state_dir: Path) -> dict[str, Path]:
    """Where the studio keeps uploads, outputs and its API description under `state_dir`."""
    return {
        "uploads": state_dir / "uploads",
        "outputs": state_dir / "outputs",
        "temp": state_dir / "temp",
        "openapi": state_dir / "openapi.yaml",
    }


def create_app(
    faults: StudioFaults,
    options: StudioOptions,
    *,
    state_dir: Path,
    boot_s: float,
    cors_origins: Sequence[str],
    time_scale: float = 1.0,
    api_key: str = "",
) -> Any:
    places = layout(state_dir)
    for key in ("uploads", "outputs", "temp"):
        places[key].mkdir(parents=True, exist_ok=True)

    def write_document() -> None:
        write_openapi(places["openapi"], undocumented=faults.on("undocumented_routes"))

    write_document()
    faults.on_change.append(write_document)
    studio = Studio(faults, options, Boot(boot_s), Jobs(), places["uploads"], places["outputs"], time_scale)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)  # ORFEAS serves no OpenAPI document
    app.include_router(faults_router(faults))
    app.include_router(_admin(studio, options))
    api: list[Route] = routes(studio)
    app.router.routes.extend(api)

    def allowed(path: str) -> list[str]:
        dropped = faults.value("drop_route")
        served = [r for r in api if r.path != dropped]  # a dropped route is as if ORFEAS had no such rule
        return sorted({m for r in served if r.path_regex.match(path) for m in (r.methods or ()) if m != "HEAD"})

    shaped = WerkzeugShape(app, options, allowed)
    return HangGate(FlaskCors(ApiKeyGate(shaped, faults, api_key), faults, cors_origins), faults)


def write_openapi(path: Path, *, undocumented: bool) -> None:
    """The API description as the studio keeps it: complete, or with ORFEAS's own gaps."""
    if not undocumented:
        path.write_text(OPENAPI.read_text(encoding="utf-8"), encoding="utf-8")
        return
    document = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    for listed in UNDOCUMENTED:
        document["paths"].pop(listed, None)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _admin(studio: Studio, options: StudioOptions) -> Any:
    from fastapi import APIRouter

    router = APIRouter()

    @router.post("/_sandbox/restart")
    def restart() -> dict[str, Any]:
        studio.boot.restart()
        return {"restarted": True, "boot_s": studio.boot.boot_s}

    @router.get(OPTIONS_PATH)
    def get_options() -> dict[str, Any]:
        return options.snapshot()

    @router.put(OPTIONS_PATH)
    def put_options(changes: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008 - FastAPI idiom
        try:
            options.update(changes)
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        return options.snapshot()

    @router.delete(OPTIONS_PATH)
    def reset_options() -> dict[str, Any]:
        options.reset()
        return options.snapshot()

    return router
