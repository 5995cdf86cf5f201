"""Job types: a small registry so another job can be added beside `render_clip`.

A `JobType` names its parameters (a pydantic model, validated by the API before the task is
sent) and a `run` function of (JobContext, params) returning the `ResultFile` it wrote. Each job
type becomes a Celery task `pipeline.<name>` on every worker and is listed by `GET /jobs`.
To add one: write a module that calls `register(JobType(...))` (see `_render.py`) and add it to
`JOB_MODULES`; the API and the workers import every module listed there.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

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
    existing = JOBS.get(job.name)
    if existing is not None and existing is not job:
        raise ValueError(f"job type {job.name!r} is already registered")
    JOBS[job.name] = job
    return job


JOB_MODULES = ("workbook.sandbox.tasks._render", "workbook.sandbox.tasks._job_scene")


def load_jobs() -> dict[str, JobType]:
    """Import every job module (each registers its job types) and return the registry."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return JOBS
