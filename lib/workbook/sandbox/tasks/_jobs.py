"""Job types: a small registry so another job can be added beside `render_clip`.

A `JobType` names its parameters (a pydantic model, validated before the job runs) and a `run`
function of (JobContext, params) returning the `ResultFile` it wrote. Each job type becomes a
Celery task `pipeline.<name>` on every worker. To add one: write its params model and run
function (in its own module) and `register(JobType(...))` it from `JOB_MODULES`'s import.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._config import TasksConfig
from ._events import EventPublisher
from ._fetch import FetchReport, fetch_to_file
from ._switches import FileSwitches


class JobFailed(Exception):
    """A job that cannot succeed (bad input, an upstream answer retrying cannot fix)."""


@dataclass(frozen=True)
class ResultFile:
    name: str
    sha256: str
    size: int

    def to_json(self, task_id: str) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size, "url": f"/tasks/{task_id}/result"}


@dataclass
class JobContext:
    """What a running job may use: progress events, upstream fetches, its temp folder, its result."""

    task_id: str
    attempt: int
    worker: str
    correlation_id: str
    config: TasksConfig
    events: EventPublisher
    switches: FileSwitches
    temp: Path
    fetches: list[FetchReport] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        """Headers for calls to other services, so they can correlate them with this task."""
        return {"X-Task-Id": self.task_id, "X-Correlation-Id": self.correlation_id}

    def progress(self, percent: float, message: str = "", **extra: Any) -> None:
        self.events.progress(percent, message, **extra)

    def fetch(self, path: str, name: str) -> Path:
        """GET `{upstream}{path}` into the temp folder, with the retry policy; returns the file."""
        target = self.temp / name
        report = fetch_to_file(
            self.config.upstream_url + path,
            target,
            headers=self.headers,
            timeout_s=self.config.upstream_timeout_s,
            switches=self.switches,
            on_retry=lambda what, delay: self.progress(0, f"{what}; retrying in {delay:.2f} s", retry_in_s=delay),
        )
        self.fetches.append(report)
        return target

    def write_result(self, name: str, chunks: Iterable[bytes]) -> ResultFile:
        """Write the result in the temp folder, hash it, then move it into the shared files folder."""
        partial = self.temp / f"{name}.partial"
        digest = hashlib.sha256()
        size = 0
        with partial.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        if self.switches.on("corrupt_result") and size:
            with partial.open("r+b") as out:
                out.seek(size // 2)
                byte = out.read(1)
                out.seek(size // 2)
                out.write(bytes([byte[0] ^ 0xFF]))
        final_dir = self.config.files_dir / self.task_id
        final_dir.mkdir(parents=True, exist_ok=True)
        os.replace(partial, final_dir / name)
        return ResultFile(name=name, sha256=digest.hexdigest(), size=size)


@dataclass(frozen=True)
class JobType:
    name: str
    params: type[BaseModel]
    run: Callable[[JobContext, Any], ResultFile]
    description: str = ""

    @property
    def task_name(self) -> str:
        return f"pipeline.{self.name}"


JOBS: dict[str, JobType] = {}


def register(job: JobType) -> JobType:
    if job.name in JOBS:
        raise ValueError(f"job type {job.name!r} is already registered")
    JOBS[job.name] = job
    return job


# --- render_clip: the seed's "repackage a plugin" shape: fetch an input, work in steps, write a file


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


# Job types kept in modules of their own register themselves when imported here.
JOB_MODULES = ("workbook.sandbox.tasks._job_scene",)
for _module in JOB_MODULES:
    importlib.import_module(_module)
