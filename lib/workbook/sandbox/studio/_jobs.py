"""ORFEAS's background jobs: text-to-image and generate-3d, with its status words and keys.

Text-to-image: `processing` (progress 0/10/20, `message`) then `completed` with `filename` and
`preview_url` (the picture is written to the upload folder as `<id>_generated.png`, where
generate-3d also finds it). Generate-3d: the status entry is replaced by `initializing` (`step`),
`processing` 25/50, then `completed` with `output_file` and `download_url`, or `failed` with
`error` ("No input image found" for an id that has no upload). Durations scale with time_scale.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ._media import export_mesh, generated_png, mesh_for

if TYPE_CHECKING:
    from ._routes import Studio

IMAGE_S = 1.0  # seconds a text-to-image job takes at time scale 1
MESH_STEP_S = 0.25  # seconds per 3D job stage at time scale 1
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tiff", ".webp")


async def _pause(studio: Studio, seconds: float) -> None:
    await asyncio.sleep(seconds / max(studio.time_scale, 1e-3))


async def text_to_image_job(studio: Studio, job_id: str, prompt: str, style: str) -> None:
    for progress, message in ((10, "[ORFEAS] Initializing ULTIMATE AI engine..."), (20, "[ART] Generating...")):
        await _pause(studio, IMAGE_S / 3)
        studio.jobs.update(job_id, progress=progress, message=message)
    await _pause(studio, IMAGE_S / 3)
    name = f"{job_id}_generated.png"
    (studio.upload_dir / name).write_bytes(await asyncio.to_thread(generated_png, prompt, style))
    studio.jobs.update(
        job_id,
        status="completed",
        progress=100,
        message="Image generated successfully!",
        filename=name,
        preview_url=f"/api/preview/{name}",
    )


async def generate_3d_job(
    studio: Studio, job_id: str, file_format: str, dimensions: dict[str, int], quality: int
) -> None:
    try:
        studio.jobs.set(job_id, {"status": "initializing", "progress": 0, "step": "Starting 3D generation..."})
        source = next(
            (p for p in sorted(studio.upload_dir.glob(f"{job_id}_*")) if p.suffix.lower() in IMAGE_SUFFIXES), None
        )
        if source is None:
            raise LookupError("No input image found")
        if studio.options.on("no_gpu"):
            raise MemoryError(f"Cannot allocate job {job_id}: insufficient resources")
        await _pause(studio, MESH_STEP_S)
        studio.jobs.update(job_id, status="processing", progress=25, step="Processing image...")
        await _pause(studio, MESH_STEP_S)
        studio.jobs.update(job_id, progress=50, step="Generating 3D mesh...")
        written = "obj" if studio.faults.on("always_obj") else file_format
        blob = await asyncio.to_thread(_mesh_file, source.read_bytes(), dimensions, quality, written)
        await _pause(studio, MESH_STEP_S)
        folder = studio.output_dir / job_id
        folder.mkdir(parents=True, exist_ok=True)
        output_file = f"model_{job_id}.{written}"
        (folder / output_file).write_bytes(blob)
        studio.jobs.update(
            job_id,
            status="completed",
            progress=100,
            step="3D model generation complete!",
            output_file=output_file,
            download_url=f"/api/download/{job_id}/{output_file}",
        )
    except Exception as exc:  # ORFEAS records every failure in the status, never raises
        studio.jobs.set(job_id, {"status": "failed", "error": str(exc)})
    finally:
        studio.jobs.release(job_id)


def _mesh_file(source: bytes, dimensions: dict[str, Any], quality: int, file_format: str) -> bytes:
    return export_mesh(mesh_for(source, dimensions, quality), file_format)
