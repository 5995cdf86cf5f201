"""The interface every studio dialect implements, what they share, and the one rule for an answer
that shows the request never reached the operation (`reached`).

Shared: the options every job dialect has (`JobOptions`: route paths, the upload field, the status
words), the operations that only send a route its body (upload, text-to-image, generate-3d, job
status), the job-following loop. A dialect module adds its own defaults and what really differs:
where a finished job's result and image are, and which request proves the platform is ready.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .._client import Exchange, StudioClient, reached

POLL_S = 0.05
# Routes whose request names a job: a 404 with a JSON body is the platform saying "no such job".
ID_ROUTES = frozenset({"generate_3d", "job_status", "download"})
# The method of each route key (`StudioDialect.route_options` names the option holding its path).
ROUTE_METHODS = {
    "upload": "POST",
    "text_to_image": "POST",
    "generate_3d": "POST",
    "job_status": "GET",
    "download": "GET",
    "ready": "GET",
}


@dataclass(frozen=True)
class Submitted:
    """A job a submit started: its id and the answer that started it (None id when not accepted)."""

    job_id: str | None
    answer: Exchange


@dataclass
class FollowedJob:
    """A job followed to a terminal state (or to the bound): every status seen, the last one."""

    job_id: str
    state: str = ""  # the platform's own word for the last state
    terminal: bool = False
    succeeded: bool = False
    statuses: list[dict[str, Any]] = field(default_factory=list)
    last: Exchange | None = None
    waited_s: float = 0.0
    problem: str = ""  # why following stopped without a terminal state

    @property
    def body(self) -> dict[str, Any]:
        return self.statuses[-1] if self.statuses else {}


class StudioDialect(ABC):
    """One platform's way of saying upload / generate / status / result."""

    name: ClassVar[str]
    options_model: ClassVar[type[BaseModel]]
    # Route key (as in `routes()`) -> the option that sets its path; `health ...` keys: health_paths.
    route_options: ClassVar[dict[str, str]] = {
        "upload": "upload_path",
        "text_to_image": "text_to_image_path",
        "generate_3d": "generate_3d_path",
        "job_status": "job_status_path",
        "download": "download_path",
        "ready": "ready_path",
    }

    def __init__(self, client: StudioClient, options: Mapping[str, Any] | None = None) -> None:
        self.client = client
        self.options: Any = self.options_model.model_validate(dict(options or {}))

    # --- paths -------------------------------------------------------------------------------
    @property
    def health_paths(self) -> list[str]:
        return list(self.options.health_paths)

    @property
    def ready_path(self) -> str:
        return str(self.options.ready_path)

    def routes(self) -> dict[str, tuple[str, str]]:
        """key -> (METHOD, path template) of every route the checks use (templates keep `{name}`)."""
        found = {key: (method, getattr(self.options, self.route_options[key])) for key, method in ROUTE_METHODS.items()}
        return {**found, **{f"health {path}": ("GET", path) for path in self.health_paths}}

    # --- operations --------------------------------------------------------------------------
    def upload(self, data: bytes, filename: str = "image.png", content_type: str = "image/png") -> Submitted:
        answer = self.send("upload", files={self.options.upload_field: (filename, data, content_type)})
        return Submitted(job_id_of(answer), answer)

    def text_to_image(self, body: Any) -> Submitted:
        answer = self.send("text_to_image", json=body)
        return Submitted(job_id_of(answer), answer)

    def generate_3d(self, body: Any) -> Submitted:
        answer = self.send("generate_3d", json=body)
        return Submitted(job_id_of(answer), answer)

    def generate_body(self, source_id: str, file_format: str, quality: int) -> dict[str, Any]:
        return {self.options.job_id_key: source_id, "format": file_format, "quality": quality}

    def job_status(self, job_id: str) -> Exchange:
        return self.send("job_status", self.options.job_status_path.format(job_id=job_id))

    def state_of(self, status: Mapping[str, Any]) -> tuple[str, bool, bool]:
        """(the state word as the platform wrote it, terminal?, succeeded?) of one status body."""
        state = str(status.get(self.options.state_key, ""))
        done = state.lower() in self.options.done_states
        return state, done or state.lower() in self.options.failed_states, done

    @abstractmethod
    def result_location(self, job: FollowedJob, submitted: Submitted) -> tuple[str, str]:
        """(URL of the result, the file name the platform gave it) of a finished 3D job."""

    @abstractmethod
    def image_location(self, job: FollowedJob, submitted: Submitted) -> str:
        """URL of a finished text-to-image job's picture."""

    @abstractmethod
    def work_probe(self, image: bytes) -> Exchange:
        """One request that only works once the platform is ready (readiness)."""

    # --- shared ------------------------------------------------------------------------------
    def route_param(self, key: str) -> str:
        """The parameter that sets route `key`'s path, for a could-not-check message."""
        option = self.route_options.get(key) or ("health_paths" if key.startswith("health") else "")
        return f"dialect_options.{option}" if option else ""

    def reached(self, key: str, answer: Exchange) -> Exchange:
        """`answer`, unless it shows the request to route `key` never reached the operation
        (unreachable, credentials refused, no such route): then `CouldNotCheck` with that reason."""
        return reached(
            answer,
            profile=self.client.profile,
            route_param=self.route_param(key),
            dialect=self.name,
            answers_about_ids=key in ID_ROUTES,
        )

    def send(self, key: str, path: str = "", **kwargs: Any) -> Exchange:
        """A request of one's own to route `key` (its path, or `path` filled in), checked by `reached`."""
        method, template = self.routes()[key]
        return self.reached(key, self.client.send(method, path or template, **kwargs))

    def follow(
        self,
        job_id: str,
        *,
        timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> FollowedJob:
        """Poll the job status until a terminal state or `timeout_s` (the bound)."""
        job = FollowedJob(job_id)
        started = clock()
        while True:
            answer = self.job_status(job_id)
            job.last = answer
            body = answer.json()
            if answer.ok and isinstance(body, dict):
                job.statuses.append(body)
                job.state, job.terminal, job.succeeded = self.state_of(body)
                if job.terminal:
                    break
            elif answer.status is None or answer.status >= 500 or answer.status == 404:
                job.problem = f"job status of {job_id}: {answer.brief()}"
                break
            if clock() - started > timeout_s:
                job.problem = f"job {job_id} not finished within {timeout_s:g} s (last: {answer.brief()})"
                break
            sleep(POLL_S)
        job.waited_s = round(clock() - started, 3)
        return job

    @classmethod
    def option_defaults(cls) -> dict[str, Any]:
        return cls.options_model().model_dump()


class DialectOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JobOptions(DialectOptions):
    """What every job dialect names: its routes, the upload's form field, the status words (lower case)."""

    health_paths: tuple[str, ...] = ("/health",)
    ready_path: str = "/ready"
    upload_path: str = "/api/upload-image"
    upload_field: str = "image"
    text_to_image_path: str = "/api/text-to-image"
    generate_3d_path: str = "/api/generate-3d"
    job_status_path: str
    file_routes: tuple[str, ...]
    job_id_key: str = "job_id"
    state_key: str = "status"
    done_states: tuple[str, ...] = ("completed",)
    failed_states: tuple[str, ...] = ("failed",)


def job_id_of(answer: Exchange) -> str | None:
    """The job id a 2xx answer names, or None."""
    body = answer.json()
    value = body.get("job_id") if answer.ok and isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None
