"""Deterministic images with real dimensions: WebP or PNG grids, PNG upscales, WebP progress frames.

A grid is 2x2 tiles of the upscale size, and upscale N is pixel-for-pixel tile N of its grid, so a
client can verify that an upscale came from the grid it claims to (crop the grid, compare pixels).
Everything is derived from (job hash, index, size): the same job always yields the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

from PIL import Image, ImageDraw

PROGRESS_SIZE = 512


def _palette(seed: bytes) -> list[tuple[int, int, int]]:
    return [(seed[i], seed[i + 1], seed[i + 2]) for i in range(0, 30, 3)]


def render_tile(job_hash: str, index: int, width: int, height: int) -> Image.Image:
    seed = hashlib.sha256(f"{job_hash}:{index}".encode()).digest()
    colors = _palette(seed)
    image = Image.new("RGB", (width, height), colors[0])
    draw = ImageDraw.Draw(image)
    for i in range(1, 9):
        x0 = seed[i] * width // 256
        y0 = seed[i + 8] * height // 256
        x1 = x0 + max(16, seed[i + 16] * width // 512)
        y1 = y0 + max(16, seed[i + 20] * height // 512)
        if i % 2:
            draw.ellipse((x0, y0, x1, y1), fill=colors[i])
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colors[i])
    draw.text((8, 8), f"{job_hash[:8]} #{index}", fill=(255, 255, 255))
    return image


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


@lru_cache(maxsize=64)
def upscale_png(job_hash: str, index: int, width: int, height: int) -> bytes:
    return _png(render_tile(job_hash, index, width, height))


def _grid(job_hash: str, width: int, height: int) -> Image.Image:
    """2x2 grid; `width`/`height` are one tile's (the upscale's) size."""
    grid = Image.new("RGB", (2 * width, 2 * height))
    for index in range(1, 5):
        x = (index - 1) % 2 * width
        y = (index - 1) // 2 * height
        grid.paste(render_tile(job_hash, index, width, height), (x, y))
    return grid


@lru_cache(maxsize=32)
def grid_png(job_hash: str, width: int, height: int) -> bytes:
    return _png(_grid(job_hash, width, height))


@lru_cache(maxsize=32)
def grid_webp(job_hash: str, width: int, height: int) -> bytes:
    """Lossy WebP, as most live finals are; a cell still differs from its upscale by ~1/255."""
    buffer = io.BytesIO()
    _grid(job_hash, width, height).save(buffer, "WEBP", quality=90, method=2)
    return buffer.getvalue()


@lru_cache(maxsize=64)
def progress_webp(job_hash: str, percent: int) -> bytes:
    """Low-resolution blurred preview as Midjourney shows while a job runs."""
    frame = Image.new("RGB", (PROGRESS_SIZE, PROGRESS_SIZE))
    for index in range(1, 5):
        tile = render_tile(job_hash, index, PROGRESS_SIZE // 2, PROGRESS_SIZE // 2)
        frame.paste(tile, ((index - 1) % 2 * (PROGRESS_SIZE // 2), (index - 1) // 2 * (PROGRESS_SIZE // 2)))
    # Coarser pixels early in the job, like a diffusion preview sharpening.
    block = max(1, 64 * (100 - percent) // 100)
    small = frame.resize((max(1, PROGRESS_SIZE // block), max(1, PROGRESS_SIZE // block)))
    frame = small.resize((PROGRESS_SIZE, PROGRESS_SIZE), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    frame.save(buffer, "WEBP", quality=60)
    return buffer.getvalue()


def render(kind: str, job_hash: str, index: int, width: int, height: int) -> bytes:
    if kind == "grid":
        return grid_png(job_hash, width, height)
    if kind == "grid_webp":
        return grid_webp(job_hash, width, height)
    if kind == "upscale":
        return upscale_png(job_hash, index, width, height)
    if kind == "progress":
        return progress_webp(job_hash, index)
    raise ValueError(f"unknown image kind {kind!r}")
