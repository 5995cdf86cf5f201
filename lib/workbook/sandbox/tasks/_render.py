"""The `render_clip` job: the seed's "repackage a plugin" shape. Fetch an input from the upstream
API, work through it in steps (one progress event each), write one result file."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

from ._jobs import JobContext, JobType, ResultFile, register


class RenderClipParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    asset: str = Field(default="clip-source", min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._-]+$")
    asset_size: int = Field(default=64 * 1024, ge=1, le=256 * 1024 * 1024)
    frames: int = Field(default=10, ge=1, le=1000)
    step_s: float = Field(default=0.05, ge=0.0, le=10.0)
    output_size: int = Field(default=256 * 1024, ge=1, le=512 * 1024 * 1024)


def render_clip(ctx: JobContext, params: RenderClipParams) -> ResultFile:
    ctx.progress(0, "fetching input")
    source = ctx.fetch(f"/v1/assets/{params.asset}?size={params.asset_size}", "input.bin")
    seed = hashlib.sha256(source.read_bytes()).digest()
    ctx.progress(0, "input fetched", input_bytes=source.stat().st_size)
    frame_sizes = _split(params.output_size, params.frames)

    def frames() -> Iterator[bytes]:
        for index, size in enumerate(frame_sizes):
            if params.step_s:
                time.sleep(params.step_s)
            yield hashlib.shake_256(seed + index.to_bytes(4, "big")).digest(size)
            ctx.progress(100.0 * (index + 1) / params.frames * 0.99, f"frame {index + 1}/{params.frames}")

    return ctx.write_result("clip.bin", frames())


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


register(JobType("render_clip", RenderClipParams, render_clip, "fetch an asset, render frames, write clip.bin"))
