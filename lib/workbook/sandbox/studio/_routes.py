"""The studio's routes: health and readiness, upload, text-to-image, generate-3d, jobs and results."""

from __future__ import annotations

import asyncio
import json
import re
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from ._media import MEDIA_TYPES, export_mesh, mesh_for, preview_png, verified_image
from ._models import (
    GENERATE_3D_SCHEMA,
    TEXT_TO_IMAGE_SCHEMA,
    UPLOAD_SCHEMA,
    Generate3dIn,
    HealthOut,
    ImageJobOut,
    JobOut,
    MeshJobOut,
    ReadyOut,
    TextToImageIn,
    UploadOut,
    errors,
    json_body,
    multipart_body,
)
from ._state import Boot, Job, Jobs
from ._switches import StudioFaults

UPLOAD_PATH = "/api/upload-image"
JSON_PATHS = ("/api/text-to-image", "/api/generate-3d")
MAX_FILENAME = 255
# Seconds a mesh job of quality 5 takes at time scale 1.
MESH_SECONDS = 0.2
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
WARMING_UP = "warming up: models are loading"


@dataclass
class Studio:
    faults: StudioFaults
    boot: Boot
    jobs: Jobs
    upload_dir: Path
    time_scale: float

    def error_body(self, detail: Any, *, trace: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": detail}
        if self.faults.on("stack_trace_errors"):
            body["traceback"] = trace or "Traceback (most recent call last):\n" + "".join(traceback.format_stack())
        return body


def _binary(*media_types: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": "the file", "content": {media: {} for media in media_types}}}


def safe_name(raw: str) -> str:
    """The last path component with anything but letters, digits, dot, dash and underscore replaced."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", raw.replace("\\", "/").split("/")[-1]).lstrip(".")
    return name[:MAX_FILENAME] or "upload"


def probe_router(studio: Studio) -> APIRouter:
    router = APIRouter()

    @router.get("/health", response_model=HealthOut)
    def health() -> Any:
        """Liveness: the process answers (the routes may still be warming up)."""
        if studio.faults.on("health_not_json"):
            return PlainTextResponse("OK")
        return {"status": "ok", "uptime_s": round(studio.boot.uptime_s, 3)}

    @router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
    def ready() -> Any:
        """Readiness: 200 only once every route works."""
        if studio.boot.warm or studio.faults.on("health_before_routes"):
            return {"ready": True}
        return JSONResponse({"ready": False, "detail": WARMING_UP}, status_code=503)

    return router


def api_router(studio: Studio) -> APIRouter:
    async def gate() -> None:
        if not studio.boot.warm:
            raise HTTPException(503, WARMING_UP)
        delay_ms = studio.faults.number("slow_first_request")
        if studio.boot.take_first_request() and delay_ms:
            await asyncio.sleep(delay_ms / 1000)

    router = APIRouter(dependencies=[Depends(gate)])

    async def json_object(request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except ValueError:
            raise HTTPException(400, "request body is not valid JSON") from None

    def invalid(error: ValidationError) -> JSONResponse:
        items = [{"loc": list(e["loc"]), "msg": str(e["msg"]), "type": str(e["type"])} for e in error.errors()]
        return JSONResponse(studio.error_body(items), status_code=400)

    @router.post(
        "/upload-image",
        response_model=UploadOut,
        responses=errors(400, 413, 415, 503),
        openapi_extra=multipart_body(UPLOAD_SCHEMA),
    )
    async def upload_image(request: Request) -> Any:
        form = await request.form()
        image = form.get("image")
        if studio.faults.on("missing_file_500"):
            _ = image.filename  # type: ignore[union-attr]  # the seed's `file.filename` on a missing field
        if not isinstance(image, UploadFile):
            raise HTTPException(400, "No image file provided: expected a multipart file field 'image'")
        raw_name = image.filename or ""
        if len(raw_name) > MAX_FILENAME or "\x00" in raw_name:
            raise HTTPException(400, f"invalid filename: expected at most {MAX_FILENAME} characters and no NUL")
        data = await image.read()
        try:
            kind, width, height = verified_image(data)
        except ValueError as error:
            if not studio.faults.on("accept_fake_image"):
                trace = "".join(traceback.format_exception(error))
                return JSONResponse(studio.error_body("Invalid image file", trace=trace), status_code=415)
            kind, width, height = "unknown", 0, 0
        job_id = studio.jobs.new_id(repeated=studio.faults.on("repeated_job_ids"))
        stored_name = _store(studio, job_id, raw_name, data)
        media = f"image/{kind.lower()}" if kind != "unknown" else "application/octet-stream"
        studio.jobs.put(Job(job_id, "image", data, media, filename=stored_name))
        body = {
            "job_id": job_id,
            "status": "uploaded",
            "filename": stored_name,
            "size_bytes": len(data),
            "image_format": kind,
            "width": width,
            "height": height,
        }
        return JSONResponse(body)

    @router.post(
        "/text-to-image",
        response_model=ImageJobOut,
        responses=errors(400, 415, 503),
        openapi_extra=json_body(TEXT_TO_IMAGE_SCHEMA),
    )
    async def text_to_image(request: Request) -> Any:
        data = await json_object(request)
        prompt_given = data.get("prompt") if isinstance(data, dict) else None
        if studio.faults.on("accept_empty_prompt") and isinstance(data, dict) and not str(prompt_given or "").strip():
            body = TextToImageIn.model_construct(prompt="", style="realistic")
        else:
            try:
                body = TextToImageIn.model_validate(data)
            except ValidationError as error:
                return invalid(error)
        job_id = studio.jobs.new_id()
        studio.jobs.put(Job(job_id, "image", preview_png(body.prompt, body.style), "image/png"))
        if studio.faults.on("schema_violation"):
            return JSONResponse({"job_id": job_id, "status": 1, "prompt": body.prompt, "style": body.style})
        return JSONResponse(
            {
                "job_id": job_id,
                "status": "completed",
                "prompt": body.prompt,
                "style": body.style,
                "image_url": f"/api/preview/{job_id}.png",
            }
        )

    @router.post(
        "/generate-3d",
        status_code=202,
        response_model=MeshJobOut,
        responses=errors(400, 404, 415, 503),
        openapi_extra=json_body(GENERATE_3D_SCHEMA),
    )
    async def generate_3d(request: Request) -> Any:
        data = await json_object(request)
        if studio.faults.on("missing_job_id_500"):
            _ = data["job_id"]  # KeyError on a missing job id: the unvalidated handler crashes
        try:
            body = Generate3dIn.model_validate(data)
        except ValidationError as error:
            return invalid(error)
        source = studio.jobs.get(body.job_id)
        if source is None or source.kind != "image":
            raise HTTPException(404, f"unknown job id {body.job_id!r}: upload an image or run text-to-image first")
        made = "stl" if studio.faults.on("wrong_mesh_format") else body.format
        blob = export_mesh(mesh_for(source.data, body.quality), made)
        if studio.faults.on("corrupt_mesh"):
            blob = blob[: len(blob) // 2]
        delay = MESH_SECONDS * body.quality / 5 / max(studio.time_scale, 1e-3)
        job = Job(
            studio.jobs.new_id(),
            "mesh",
            blob,
            MEDIA_TYPES[body.format],
            ready_at=time.monotonic() + delay,
            file_format=body.format,
            quality=body.quality,
            source_job_id=source.job_id,
        )
        studio.jobs.put(job)
        out = MeshJobOut(
            job_id=job.job_id,
            source_job_id=source.job_id,
            status="processing" if delay > 0 else "completed",
            format=body.format,
            quality=body.quality,
            result_url=f"/api/jobs/{job.job_id}/result",
        )
        return JSONResponse(out.model_dump(), status_code=202)

    @router.get("/jobs/{job_id}", response_model=JobOut, responses=errors(404, 503))
    def get_job(job_id: str) -> Any:
        job = _job(studio, job_id)
        return JSONResponse(
            {
                "job_id": job.job_id,
                "kind": job.kind,
                "status": job.status,
                "result_url": f"/api/jobs/{job.job_id}/result",
                "format": job.file_format,
                "quality": job.quality,
                "source_job_id": job.source_job_id,
            }
        )

    @router.get(
        "/jobs/{job_id}/result",
        response_class=Response,
        responses={**_binary(*MEDIA_TYPES.values(), *IMAGE_TYPES, "application/octet-stream"), **errors(404, 409, 503)},
    )
    def get_result(job_id: str) -> Response:
        job = _job(studio, job_id)
        if job.status != "completed":
            raise HTTPException(409, f"job {job_id} is still processing")
        name = f"{job.job_id}.{job.file_format}" if job.file_format else (job.filename or job.job_id)
        return Response(
            job.data, media_type=job.media_type, headers={"content-disposition": f'attachment; filename="{name}"'}
        )

    @router.get(
        "/preview/{job_id}.png",
        response_class=Response,
        responses={**_binary(*IMAGE_TYPES, "application/octet-stream"), **errors(404, 503)},
    )
    def preview(job_id: str) -> Response:
        job = _job(studio, job_id)
        if job.kind != "image":
            raise HTTPException(404, f"job {job_id} has no image")
        return Response(job.data, media_type=job.media_type)

    return router


def _job(studio: Studio, job_id: str) -> Job:
    job = studio.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"unknown job id {job_id!r}")
    return job


def _store(studio: Studio, job_id: str, raw_name: str, data: bytes) -> str:
    """Write the upload under the upload folder; return the name it was stored as."""
    folder = studio.upload_dir
    name = f"{job_id}_{safe_name(raw_name)}"
    target = folder / name
    if studio.faults.on("path_traversal") and raw_name:
        naive = (folder / raw_name).resolve()
        # The defect writes outside the upload folder, but never outside the sandbox's own state folder.
        if naive.is_relative_to(folder.resolve().parents[1]) and not naive.exists():
            target, name = naive, raw_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return name
