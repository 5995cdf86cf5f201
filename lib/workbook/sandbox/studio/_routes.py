"""ORFEAS's API routes, answer for answer (backend/main.py at 37860d3, health_check.py).

Health `/api/health`, `/health`, `/ready`; `POST /api/upload-image`, `/api/text-to-image`,
`/api/generate-3d` (asynchronous: job status at `/api/job-status/<id>`); results at
`/api/download/<id>/<name>` (the name only in the job status's `download_url`),
`/api/download-base64/<id>/<name>`, `/api/preview/<name>`, `/api/preview-output/<id>/<name>`.
Errors are `{"error": ...}`. The defect switches (`_switches.py`) put ORFEAS's real defects back.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._files import download, download_base64, preview, preview_output
from ._jobs import generate_3d_job, text_to_image_job
from ._state import Boot, Jobs
from ._switches import ROUTE_PATHS, StudioFaults, StudioOptions
from ._validate import image_info, is_uuid, validation_error

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # Flask MAX_CONTENT_LENGTH (MAX_UPLOAD_MB=50)
UUID_DASHED = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")  # validation.py
FORMATS = ("stl", "obj", "glb", "ply")
DEFAULT_DIMENSIONS = {"width": 100, "height": 100, "depth": 20}
DIMENSION_LIMITS = {"width": 1000, "height": 1000, "depth": 500}
# Flask's get_json() raises these inside the handler; ORFEAS's catch-all turns them into 500.
FLASK_415 = (
    "415 Unsupported Media Type: Did not attempt to load JSON data because the request "
    "Content-Type was not 'application/json'."
)
FLASK_400 = "400 Bad Request: The browser (or proxy) sent a request that this server could not understand."


@dataclass
class Studio:
    faults: StudioFaults
    options: StudioOptions
    boot: Boot
    jobs: Jobs
    upload_dir: Path
    output_dir: Path
    time_scale: float


def error(text: str, code: int, extra: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse({"error": text, **(extra or {})}, status_code=code)


async def json_body(request: Request) -> tuple[Any, str]:
    """(the parsed body, '') or (None, Flask's words for why get_json() raised)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        return None, FLASK_415
    try:
        return json.loads(await request.body()), ""
    except ValueError:
        return None, FLASK_400


def routes(studio: Studio) -> list[Route]:
    async def api_health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "degraded" if studio.faults.on("health_degraded") else "healthy",
                "timestamp": datetime.now().isoformat(),
                "mode": "full_ai",
                "gpu_info": {"gpu_enabled": False, "device": "cpu"},
                "active_jobs": studio.jobs.active,
                "models_status": "ready" if studio.boot.loaded else "loading",
                "processor": {"model_type": "Fallback", "device": "cpu"} if studio.boot.loaded else {},
                "capabilities": ["image_upload", "3d_generation", "stl_export", "gpu_memory_management"],
            }
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "healthy", "service": "orfeas-backend", "version": "1.0.0"})

    async def ready(request: Request) -> Response:
        loaded = studio.boot.loaded or studio.faults.on("health_before_routes")
        checks = {"application": loaded, "gpu": False, "models": loaded}
        return JSONResponse(
            {"status": "ready" if loaded else "not_ready", "checks": checks}, status_code=200 if loaded else 503
        )

    async def upload_image(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
            await _drain(request)
            return error("File too large (max 50MB)", 413)
        body = await _read_capped(request, MAX_UPLOAD_BYTES)
        if body is None:
            return error("File too large (max 50MB)", 413)
        files = await _multipart(request, body)
        upload = files.get("image")
        if not isinstance(upload, UploadFile):
            if studio.faults.on("missing_file_500"):
                return error("Upload failed", 500)  # the handler's catch-all, as ORFEAS answers it
            return error("No image file provided", 400)
        name = upload.filename or ""
        if not name:
            return error("No file selected", 400)
        data = await upload.read()
        problem = "" if studio.faults.on("accept_fake_image") else validation_error(data, name)
        if problem:
            return error(f"Security validation failed: {problem}", 400)
        job_id = str(uuid.uuid4())
        stored = f"{job_id}_{datetime.now():%Y%m%d_%H%M%S}_{secure_name(name)}"
        (studio.upload_dir / stored).write_bytes(data)
        try:
            info: dict[str, Any] = image_info(data)
        except Exception as exc:  # only with accept_fake_image: ORFEAS's analyze_image says why
            info = {"error": str(exc)}
        return JSONResponse(
            {
                "job_id": job_id,
                "filename": stored,
                "original_filename": secure_name(name),
                "preview_url": f"/api/preview/{stored}",
                "status": "uploaded",
                "image_info": info,
            }
        )

    async def text_to_image(request: Request) -> Response:
        data, why = await json_body(request)
        if why:
            return error(why, 500) if studio.faults.on("no_json_500") else error("No prompt provided", 400)
        if not isinstance(data, dict) or "prompt" not in data:
            return error("No prompt provided", 400)
        prompt, style = data.get("prompt"), data.get("style", "realistic")
        if not isinstance(prompt, str):
            return error("Prompt must be a string", 400)
        if not prompt.strip() and not studio.faults.on("accept_empty_prompt"):
            return error("Prompt cannot be empty", 400)
        job_id = str(uuid.uuid4())
        start = {"status": "processing", "progress": 0, "message": "Initializing AI model...", "type": "text_to_image"}
        studio.jobs.set(job_id, {**start, "prompt": prompt.strip(), "style": style})
        asyncio.get_running_loop().create_task(text_to_image_job(studio, job_id, prompt.strip(), str(style)))
        return JSONResponse({"job_id": job_id, "status": "processing", "message": "Image generation started"})

    async def generate_3d(request: Request) -> Response:
        if not studio.boot.loaded:
            return error(
                "AI models still loading, please wait a few seconds...",
                503,
                {"status": "models_loading", "retry_after": 5},
            )
        data, why = await json_body(request)
        if why:
            return error("3D generation failed", 500) if studio.faults.on("no_json_500") else _invalid([why])
        if not isinstance(data, dict):
            return _invalid(["request body must be a JSON object"])
        details = generate_problems(data)
        if details:
            malformed = any(d["loc"] == ["job_id"] and d["type"] == "value_error" for d in details)
            if malformed and studio.faults.on("malformed_id_500"):
                return error("3D generation failed", 500)
            return _invalid(details)
        job_id, file_format = data["job_id"], data.get("format", "stl")
        dimensions = {**DEFAULT_DIMENSIONS, **data.get("dimensions", {})}
        quality = data.get("quality", 7)
        if not studio.jobs.claim(job_id):
            return error(
                "Generation already in progress",
                409,
                {
                    "job_id": job_id,
                    "status": "conflict",
                    "message": "This job is currently being processed. Wait for completion or use a different job_id.",
                },
            )
        asyncio.get_running_loop().create_task(generate_3d_job(studio, job_id, file_format, dimensions, quality))
        return JSONResponse(
            {
                "job_id": job_id,
                "status": "generating_3d",
                "format": file_format,
                "dimensions": dimensions,
                "quality": quality,
            }
        )

    async def job_status(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        status = studio.jobs.get(job_id) if is_uuid(job_id) else None
        return JSONResponse(status) if status is not None else error("Job not found", 404)

    def files(handler: Callable[[Studio, Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await handler(studio, request)

        return endpoint

    served = [
        Route("/api/health", api_health, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        Route("/api/upload-image", upload_image, methods=["POST"]),
        Route("/api/text-to-image", text_to_image, methods=["POST"]),
        Route("/api/generate-3d", generate_3d, methods=["POST"]),
        Route("/api/job-status/{job_id}", job_status, methods=["GET"]),
        Route("/api/download/{job_id}/{filename}", files(download), methods=["GET"]),
        Route("/api/download-base64/{job_id}/{filename}", files(download_base64), methods=["GET"]),
        Route("/api/preview/{filename}", files(preview), methods=["GET"]),
        Route("/api/preview-output/{job_id}/{filename}", files(preview_output), methods=["GET"]),
    ]
    if tuple(route.path for route in served) != ROUTE_PATHS:  # drop_route validates against ROUTE_PATHS
        raise RuntimeError("_switches.ROUTE_PATHS must name every route of the studio, in order")
    return served


def generate_problems(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Generate3DRequest's rules (validation.py), as pydantic's error items without the unencodable ctx."""
    found: list[dict[str, Any]] = []
    job_id = data.get("job_id")
    if job_id is None:
        found.append({"loc": ["job_id"], "msg": "Field required", "type": "missing"})
    elif not isinstance(job_id, str):
        found.append({"loc": ["job_id"], "msg": "Input should be a valid string", "type": "string_type"})
    elif not UUID_DASHED.match(job_id):
        found.append({"loc": ["job_id"], "msg": "Value error, job_id must be a valid UUID", "type": "value_error"})
    if data.get("format", "stl") not in FORMATS:
        found.append(
            {"loc": ["format"], "msg": "Input should be 'stl', 'obj', 'glb' or 'ply'", "type": "literal_error"}
        )
    quality = data.get("quality", 7)
    if not isinstance(quality, int) or isinstance(quality, bool) or not 1 <= quality <= 10:
        found.append({"loc": ["quality"], "msg": "Input should be an integer from 1 to 10", "type": "int_range"})
    dimensions = data.get("dimensions", DEFAULT_DIMENSIONS)
    if not isinstance(dimensions, dict):
        found.append({"loc": ["dimensions"], "msg": "Input should be an object", "type": "model_type"})
    else:
        for key, high in DIMENSION_LIMITS.items():
            value = dimensions.get(key, DEFAULT_DIMENSIONS[key])
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
                found.append(
                    {
                        "loc": ["dimensions", key],
                        "msg": f"Input should be an integer from 1 to {high}",
                        "type": "int_range",
                    }
                )
    return found


def _invalid(details: list[Any]) -> JSONResponse:
    items = [d if isinstance(d, dict) else {"loc": [], "msg": str(d), "type": "json_invalid"} for d in details]
    return error("Invalid request parameters", 400, {"details": items})


def secure_name(name: str) -> str:
    """Werkzeug's secure_filename in short: ASCII letters, digits, '._-'; no leading dots or separators."""
    base = name.replace("\\", "/").split("/")[-1].replace(" ", "_")
    return re.sub(r"[^A-Za-z0-9_.-]", "", base).strip("._")[:50] or "upload"


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` (the rest is read and dropped, so the answer arrives)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
    return b"".join(chunks) if size <= limit else None


async def _drain(request: Request) -> None:
    async for _ in request.stream():
        pass


async def _multipart(request: Request, body: bytes) -> dict[str, Any]:
    """The form's fields of a multipart body; {} for any other body (as Flask's `request.files`)."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return {}

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(request.headers, stream()).parse()
    except Exception:  # a malformed multipart body has no files, as in Werkzeug
        return {}
    return dict(form.items())
