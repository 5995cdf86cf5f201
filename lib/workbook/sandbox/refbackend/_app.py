"""The reference backend's HTTP API (the seed's routes), as a FastAPI app.

The same routes are mounted twice: at `/` with the configured serving mode (cloud in the sandbox)
and at `/local` with local serving, so one process stands in for both deployments the seed
describes (SERVE_FROM_CLOUD=false and =true) over the same image folder.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Body, FastAPI, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError, field_validator

from .._faults import FaultSwitches
from .._faults_http import faults_router
from ._images import ASPECT_RATIOS, render_png
from ._persistence import AssetPersistenceService, CharacterReferenceNotFoundError
from ._settings import Settings

logger = logging.getLogger("refbackend")
MAX_IMAGES = 8
LOCAL_PREFIX = "/local"
STORAGE_ERRORS = (BotoCoreError, ClientError, OSError)


class GenerateRequest(BaseModel):
    character_description: str = Field(min_length=1, max_length=2000)
    num_images: int = Field(default=4, ge=1, le=MAX_IMAGES)
    aspect_ratio: str = "1:1"

    @field_validator("aspect_ratio")
    @classmethod
    def _known_ratio(cls, value: str) -> str:
        if value not in ASPECT_RATIOS:
            raise ValueError(f"aspect_ratio {value!r} is not supported; expected one of {sorted(ASPECT_RATIOS)}")
        return value


class GeneratedImage(BaseModel):
    id: str
    path: str
    base64: str
    cloud_url: str | None


class GenerateResponse(BaseModel):
    images: list[GeneratedImage]
    metadata: dict[str, Any]


def _api_router(service: AssetPersistenceService, faults: FaultSwitches, *, cloud: bool) -> APIRouter:
    settings = service.settings
    router = APIRouter(prefix="/api/mv")

    @router.post("/generate_character_reference", response_model=None)
    async def generate(body: Annotated[dict[str, Any], Body()]) -> GenerateResponse | Response:
        try:
            request = GenerateRequest.model_validate(body)
        except ValidationError as error:
            if faults.on("bad_input_500"):
                return PlainTextResponse("Internal Server Error", status_code=500)
            if not faults.on("lenient_generate"):
                raise RequestValidationError(error.errors(include_url=False, include_context=False)) from None
            request = _lenient(body)
        ratio = "1:1" if faults.on("aspect_ratio_ignored") else request.aspect_ratio
        settings.character_reference_dir.mkdir(parents=True, exist_ok=True)
        first_id = str(uuid.uuid4())
        images = []
        for index in range(request.num_images):
            image_id = first_id if index == 0 or faults.on("non_unique_ids") else str(uuid.uuid4())
            data = render_png(request.character_description, index, ratio)
            path = settings.character_reference_dir / f"{image_id}.png"
            path.write_bytes(data)
            shown = (
                render_png(request.character_description, index + 1, ratio) if faults.on("base64_mismatch") else data
            )
            cloud_url = None
            if cloud:
                try:
                    cloud_url = await service.persist_character_reference(image_id, str(path))
                except STORAGE_ERRORS as error:
                    logger.warning("upload of %s failed, serving locally: %s", image_id, error)
            images.append(
                GeneratedImage(
                    id=image_id,
                    path=str(path.resolve()),
                    base64=base64.b64encode(shown).decode(),
                    cloud_url=cloud_url,
                )
            )
        return GenerateResponse(
            images=images,
            metadata={
                "character_description": request.character_description,
                "num_images_generated": len(images),
                "aspect_ratio": request.aspect_ratio,
            },
        )

    @router.get("/get_character_reference/{image_id}", response_model=None)
    async def get_reference(image_id: str, redirect: bool = Query(False)) -> Response | dict[str, Any]:
        try:
            local_path = service.find_local_image(image_id)
        except CharacterReferenceNotFoundError as error:
            if faults.on("unknown_id_500"):
                return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
            raise HTTPException(
                status_code=404, detail=f"Character reference image with ID {image_id} not found"
            ) from error
        if cloud and not faults.on("serves_locally"):
            try:
                key = await asyncio.to_thread(service.ensure_uploaded, image_id, local_path)
                url = await asyncio.to_thread(service.presign, key)
            except STORAGE_ERRORS as error:
                if faults.on("no_cloud_fallback"):
                    raise HTTPException(status_code=502, detail=f"storage backend unavailable: {error}") from error
                logger.warning("storage failed for %s, falling back to local serving: %s", image_id, error)
            else:
                if redirect:
                    location = _internal_host(url) if faults.on("redirect_bad_url") else url
                    return RedirectResponse(location, status_code=_redirect_status(faults))
                return {
                    "image_id": image_id,
                    "image_url": url,
                    "storage_backend": settings.storage_backend,
                    "expires_in_seconds": settings.presigned_url_expiry_s,
                    "cloud_path": service.reported_cloud_path(image_id, local_path.suffix.lstrip(".")),
                }
        return _local_response(local_path.read_bytes(), faults)

    @router.get("/config/debug")
    def config_debug() -> dict[str, Any]:
        view = {**settings.debug_view(), "serve_from_cloud": cloud and not faults.on("debug_says_local")}
        if faults.on("debug_leaks_secret"):
            view["AWS_SECRET_ACCESS_KEY"] = settings.secret_key
        return view

    return router


def _lenient(body: dict[str, Any]) -> GenerateRequest:
    """What a backend without input validation makes of a bad request: clamp and default."""
    count = body.get("num_images")
    return GenerateRequest.model_construct(
        character_description=str(body.get("character_description") or "character"),
        num_images=max(0, min(count if isinstance(count, int) else 4, MAX_IMAGES)),
        aspect_ratio=body["aspect_ratio"] if body.get("aspect_ratio") in ASPECT_RATIOS else "1:1",
    )


def _redirect_status(faults: FaultSwitches) -> int:
    if not faults.on("redirect_permanent"):
        return 307
    value = faults.value("redirect_permanent")
    return 301 if value is True else int(value)


def _local_response(data: bytes, faults: FaultSwitches) -> Response:
    if faults.on("corrupt_local_bytes") and data:
        data = data[:-1] + bytes([data[-1] ^ 0xFF])
    media_type = "application/octet-stream" if faults.on("wrong_local_content_type") else "image/png"
    return Response(content=data, media_type=media_type)


def _internal_host(url: str) -> str:
    """The URL as a backend behind a proxy often gets it wrong: signed for one host name, handed out
    under another. `localhost` keeps the sandbox off DNS while still breaking the signature's host."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"localhost{port}", parts.path, parts.query, ""))


def create_app(settings: Settings | None = None, faults: FaultSwitches | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    service = AssetPersistenceService(settings, faults=faults)
    app = FastAPI(title="reference character-reference backend (sandbox)")
    app.include_router(_api_router(service, service.faults, cloud=settings.cloud_enabled))
    app.include_router(_api_router(service, service.faults, cloud=False), prefix=LOCAL_PREFIX)
    app.include_router(faults_router(service.faults))

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "service": "refbackend", "serve_from_cloud": settings.cloud_enabled}

    return app
