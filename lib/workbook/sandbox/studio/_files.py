"""ORFEAS's file routes: download, download-base64, preview, preview-output.

Correct (default): a job id must parse as a UUID and a name must be a plain file name, and the
file must lie inside the output (or upload) folder. With `download_traversal` the routes do what
ORFEAS's code does: `..` is taken as a job id and containment is checked against the job's own
folder (main.py:3084-3110), so `/api/download/%2e%2e/openapi.yaml` serves a file from the folder
above the output folder; preview-output checks nothing at all (main.py:3191-3198).
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._validate import is_uuid

if TYPE_CHECKING:
    from ._routes import Studio

MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".tiff": "image/tiff",
    ".webp": "image/webp",
    ".stl": "model/stl",
    ".obj": "model/obj",
    ".glb": "model/gltf-binary",
    ".ply": "application/ply",
}


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _plain(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not any(sep in name for sep in ("/", "\\", "\x00"))


def _job_file(studio: Studio, job_id: str, filename: str) -> Path | JSONResponse:
    """The result file a download names, or ORFEAS's 404 answer."""
    job_dir = studio.output_dir / job_id
    if studio.faults.on("download_traversal"):
        if not job_dir.exists():
            return _error("Job not found", 404)
        path = job_dir / filename
        if not str(path.resolve()).startswith(str(job_dir.resolve())):
            return _error("Invalid file path", 404)
        return path if path.is_file() else _error("File not found", 404)
    if not is_uuid(job_id) or not _plain(job_id) or not job_dir.is_dir():
        return _error("Job not found", 404)
    if not _plain(filename):
        return _error("Invalid file path", 404)
    path = job_dir / filename
    return path if path.is_file() else _error("File not found", 404)


async def download(studio: Studio, request: Request) -> Response:
    found = _job_file(studio, request.path_params["job_id"], request.path_params["filename"])
    if isinstance(found, Response):
        return found
    data = found.read_bytes()
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{request.path_params["filename"]}"',
            "Cache-Control": "no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
            "Expires": "0",
        },
    )


async def download_base64(studio: Studio, request: Request) -> Response:
    found = _job_file(studio, request.path_params["job_id"], request.path_params["filename"])
    if isinstance(found, Response):
        return found
    data = found.read_bytes()
    encoded = base64.b64encode(data).decode()
    return JSONResponse(
        {
            "status": "success",
            "filename": request.path_params["filename"],
            "original_size": len(data),
            "encoded_size": len(encoded),
            "data": encoded,
        }
    )


def _inline(path: Path) -> Response:
    media = MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Response(
        path.read_bytes(), media_type=media, headers={"Content-Disposition": f"inline; filename={path.name}"}
    )


async def preview(studio: Studio, request: Request) -> Response:
    filename = request.path_params["filename"]
    path = studio.upload_dir / filename
    if studio.faults.on("download_traversal"):
        if path.is_dir():
            return _error("Preview failed", 500)  # send_file on a folder, as ORFEAS does for '..'
        return _inline(path) if path.is_file() else _error("Image not found", 404)
    return _inline(path) if _plain(filename) and path.is_file() else _error("Image not found", 404)


async def preview_output(studio: Studio, request: Request) -> Response:
    job_id, filename = request.path_params["job_id"], request.path_params["filename"]
    path = studio.output_dir / job_id / filename
    if studio.faults.on("download_traversal"):
        return _inline(path) if path.is_file() else _error("Output not found", 404)
    if _plain(job_id) and _plain(filename) and path.is_file():
        return _inline(path)
    return _error("Output not found", 404)
