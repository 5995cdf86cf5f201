"""The reference backend's HTTP API in seed 001's dialect (`very-bad-apples/mvp-1` backend/main.py and
routers/mv.py), as a FastAPI app for one deployment: cloud serving or local serving.

The real deployment is two processes over one image folder (SERVE_FROM_CLOUD=true and =false);
`__main__` serves both apps from one process, sharing the folder, the storage and the switches.
What differs from the real backend by default is what a correct platform does instead of its
defects (SigV4 URLs, existence-checked GETs that fall back to local serving, refused model
rejections, reported upload failures); each real defect is a fault switch (`_faults`).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Body, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from .._faults import FaultSwitches
from .._faults_http import faults_router
from ._model import ModelRejectedError, render
from ._persistence import IMAGE_EXTENSIONS, AssetPersistenceService
from ._settings import Settings, standalone_key
from ._storage import content_type_for

logger = logging.getLogger("refbackend")
MAX_IMAGES = 4
MODEL = "google/imagen-4"
STORAGE_ERRORS = (BotoCoreError, ClientError, OSError)
# The answers of main.py's API-key middleware (main.py:108-129).
MISSING_KEY = {
    "error": "Unauthorized",
    "message": "API key missing. Provide X-API-Key header or ?api_key=YOUR_KEY",
    "detail": "Authentication required for /api/ endpoints",
}
WRONG_KEY = {"error": "Unauthorized", "message": "Invalid API key", "detail": "The provided API key is not valid"}
# main.py's global exception handler (main.py:187-194, app.debug off).
INTERNAL_ERROR = {
    "error": "Internal server error",
    "message": "An unexpected error occurred. Please try again later.",
    "details": None,
}


class UnvalidatedInputError(RuntimeError):
    """The `bad_input_500` defect: invalid input goes on and crashes (main.py's handler answers 500)."""


class GenerateRequest(BaseModel):
    """mv/image_generator.py:33-42: only num_images is bounded; aspect_ratio and output_format go to the model."""

    character_description: str
    num_images: int = Field(default=4, ge=1, le=MAX_IMAGES)
    aspect_ratio: str | None = None
    safety_filter_level: str | None = None
    person_generation: str | None = None
    output_format: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None


def _error(status: int, error: str, message: str, details: str) -> HTTPException:
    """An error with `detail` as an object, as every route of the real backend answers."""
    return HTTPException(status_code=status, detail={"error": error, "message": message, "details": details})


def _valid_id(image_id: str) -> bool:
    """routers/mv.py:481: 36 characters with four dashes."""
    return len(image_id) == 36 and image_id.count("-") == 4


class Deployment:
    """One deployment's handlers (cloud or local serving) over the shared service and image folder."""

    def __init__(self, service: AssetPersistenceService, settings: Settings) -> None:
        self.service = service
        self.storage = service.storage
        self.settings = settings
        self.faults: FaultSwitches = service.faults
        self.name = "cloud" if settings.cloud_enabled else "local"

    @property
    def images_dir(self) -> Path:
        return self.settings.character_reference_dir

    # --- generate -----------------------------------------------------------------------------

    def parse(self, body: dict[str, Any]) -> GenerateRequest:
        try:
            return GenerateRequest.model_validate(body)
        except ValidationError as error:
            if self.faults.on("bad_input_500"):
                raise UnvalidatedInputError("unvalidated input reached the model") from None
            if not self.faults.on("lenient_generate"):
                raise RequestValidationError(error.errors(include_url=False, include_context=False)) from None
            count = body.get("num_images")
            return GenerateRequest.model_construct(
                character_description=str(body.get("character_description") or "character"),
                num_images=max(0, min(count if isinstance(count, int) else 4, MAX_IMAGES)),
                aspect_ratio="1:1",
                output_format=None,
            )

    def generate(self, request: GenerateRequest) -> dict[str, Any]:
        description = request.character_description.strip()
        if not description and not self.faults.on("lenient_generate"):
            raise _error(
                400,
                "ValidationError",
                "Character description is required",
                "The 'character_description' field cannot be empty",
            )
        ratio = (request.aspect_ratio or "1:1").strip()
        output_format = (request.output_format or "png").strip()
        rendered, rejected = [], []
        for index in range(request.num_images):
            try:
                rendered.append(
                    render(
                        description, index, "1:1" if self.faults.on("aspect_ratio_ignored") else ratio, output_format
                    )
                )
            except ModelRejectedError as error:
                rejected.append(str(error))
        if rejected and not self.faults.on("model_rejection_swallowed"):
            raise _error(400, "ModelError", "The image model rejected the request", rejected[0])
        self.images_dir.mkdir(parents=True, exist_ok=True)
        first_id = str(uuid.uuid4())
        images = []
        for index, data in enumerate(rendered):
            image_id = first_id if index == 0 or self.faults.on("non_unique_ids") else str(uuid.uuid4())
            path = self.images_dir / f"{image_id}.{output_format}"
            path.write_bytes(data)
            shown = render(description, index + 1, ratio, output_format) if self.faults.on("base64_mismatch") else data
            images.append(
                {
                    "id": image_id,
                    "path": str(path.resolve()),
                    "base64": base64.b64encode(shown).decode(),
                    "cloud_url": self.upload(image_id, path),
                }
            )
        return {
            "images": images,
            "metadata": {
                "character_description": description,
                "model_used": MODEL,
                "num_images_requested": request.num_images,
                "num_images_generated": len(images),
                "parameters_used": {
                    "aspect_ratio": ratio,
                    "safety_filter_level": request.safety_filter_level or "block_medium_and_above",
                    "person_generation": request.person_generation or "allow_adult",
                    "output_format": output_format,
                    "negative_prompt": request.negative_prompt,
                    "seed": request.seed,
                },
                "generation_timestamp": datetime.now(UTC).isoformat(),
            },
        }

    def upload(self, image_id: str, path: Path) -> str | None:
        """Upload like the real route (whenever a bucket is set, routers/mv.py:340); a failure is reported."""
        if not self.settings.bucket:
            return None
        if self.faults.on("upload_fails_silently"):
            logger.warning("character_image_upload_failed image_id=%s (swallowed)", image_id)
            return None
        try:
            return self.storage.upload_file(path, standalone_key(image_id, path.suffix))
        except STORAGE_ERRORS as error:
            raise _error(502, "StorageError", "Uploading the generated image failed", str(error)) from error

    # --- get ----------------------------------------------------------------------------------

    def local_file(self, image_id: str) -> Path | None:
        return next(
            (
                self.images_dir / f"{image_id}{ext}"
                for ext in IMAGE_EXTENSIONS
                if (self.images_dir / f"{image_id}{ext}").exists()
            ),
            None,
        )

    def get(self, image_id: str, redirect: bool) -> Response | dict[str, Any]:
        if not _valid_id(image_id):
            raise _error(400, "ValidationError", "Invalid image_id format", "image_id must be a valid UUID")
        local = self.local_file(image_id)
        if local is None and self.faults.value("unknown_id_500") in (True, "local") and self.name == "local":
            return JSONResponse(INTERNAL_ERROR, status_code=500)
        if local is None and self.faults.value("unknown_id_500") == "cloud" and self.name == "cloud":
            return JSONResponse(INTERNAL_ERROR, status_code=500)
        if self.name == "cloud" and not self.faults.on("serves_locally"):
            try:
                key = self.cloud_key(image_id, local)
            except STORAGE_ERRORS as error:
                if self.faults.on("no_cloud_fallback"):
                    raise _error(502, "StorageError", "Storage backend unavailable", str(error)) from error
                logger.warning("get_character_reference_cloud_error_fallback image_id=%s: %s", image_id, error)
            else:
                if key is not None:
                    return self.cloud_answer(image_id, key, redirect)
        if local is None:
            raise _error(
                404,
                "NotFound",
                f"Character reference image with ID {image_id} not found",
                "The image may have been deleted or the ID is incorrect",
            )
        return self.local_answer(local)

    def cloud_key(self, image_id: str, local: Path | None) -> str | None:
        """The key to presign: the stored object's (HEAD per extension); None when there is none."""
        if self.faults.on("png_key_hardcoded"):
            # The real route presigns character_references/{id}.png without looking (routers/mv.py:505-513).
            return standalone_key(image_id, "png")
        if self.faults.on("get_skips_storage"):
            return standalone_key(image_id, local.suffix if local else "png")
        extensions = [local.suffix] if local else [ext for ext in IMAGE_EXTENSIONS]
        for extension in extensions:
            key = standalone_key(image_id, extension)
            if self.storage.exists(key):
                return key
        return standalone_key(image_id, "png") if self.faults.on("unknown_id_dead_url") else None

    def cloud_answer(self, image_id: str, key: str, redirect: bool) -> Response | dict[str, Any]:
        url = self.storage.presign(key)
        if redirect:
            location = _internal_host(url) if self.faults.on("redirect_bad_url") else url
            return RedirectResponse(location, status_code=_redirect_status(self.faults))
        reported = f"character_reference/{image_id}{Path(key).suffix}" if self.faults.on("wrong_cloud_path") else key
        return {
            "image_id": image_id,
            "image_url": url,
            "storage_backend": "s3",
            "expires_in_seconds": self.storage.expiry_s,
            "cloud_path": reported,
        }

    def local_answer(self, path: Path) -> Response:
        """FileResponse as the real route sends it: media type from the extension, as an attachment."""
        data = path.read_bytes()
        if self.faults.on("corrupt_local_bytes") and data:
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        media_type = (
            "application/octet-stream" if self.faults.on("wrong_local_content_type") else content_type_for(path.suffix)
        )
        disposition = f'attachment; filename="{path.name}"'
        return Response(content=data, media_type=media_type, headers={"content-disposition": disposition})

    def debug(self) -> dict[str, Any]:
        view = self.settings.debug_view()
        if self.faults.on("debug_says_local") and self.name == "cloud":
            view.update(SERVE_FROM_CLOUD=False, cloud_serving_enabled=False)
        if self.faults.on("debug_leaks_secret"):
            view["AWS_SECRET_ACCESS_KEY"] = self.settings.secret_key
        return view


def _api_router(deployment: Deployment) -> APIRouter:
    router = APIRouter(prefix="/api/mv")

    @router.get("/config/debug")
    def config_debug() -> dict[str, Any]:
        return deployment.debug()

    @router.post("/generate_character_reference")
    async def generate(body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008 - FastAPI idiom
        request = deployment.parse(body)
        return await asyncio.to_thread(deployment.generate, request)

    @router.get("/get_character_reference/{image_id}", response_model=None)
    async def get_reference(image_id: str, redirect: bool = Query(False)) -> Response | dict[str, Any]:
        return await asyncio.to_thread(deployment.get, image_id, redirect)

    return router


def _redirect_status(faults: FaultSwitches) -> int:
    if not faults.on("redirect_permanent"):
        return 302  # routers/mv.py:526-529
    value = faults.value("redirect_permanent")
    return 301 if value is True else int(value)


def _internal_host(url: str) -> str:
    """The URL as a backend behind a proxy often gets it wrong: signed for one host name, handed out
    under another. `localhost` keeps the sandbox off DNS while still breaking the signature's host."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"localhost{port}", parts.path, parts.query, ""))


Handler = Callable[[Request], Awaitable[Response]]


def create_app(service: AssetPersistenceService, settings: Settings) -> FastAPI:
    """One deployment of the backend: `settings.serve_from_cloud` says which."""
    deployment = Deployment(service, settings)
    app = FastAPI(title=f"reference character-reference backend ({deployment.name} serving, sandbox)")

    @app.middleware("http")
    async def api_key(request: Request, call_next: Handler) -> Response:
        # Every /api/ route needs a key, even when API_KEY is unset (main.py:88-132).
        if not request.url.path.startswith("/api/"):
            return await call_next(request)
        key = request.headers.get("X-API-Key") or request.query_params.get("api_key")
        if not key or not settings.key_accepted(key):
            body = WRONG_KEY if key else MISSING_KEY
            return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "ApiKey"})
        return await call_next(request)

    @app.exception_handler(UnvalidatedInputError)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        logger.error("unhandled_exception path=%s: %s: %s", request.url.path, type(error).__name__, error)
        return JSONResponse(INTERNAL_ERROR, status_code=500)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "healthy", "service": "ai-video-generator", "version": "1.0.0"}

    app.include_router(_api_router(deployment))
    app.include_router(faults_router(service.faults))
    return app
