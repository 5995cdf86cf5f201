"""The plugin repackaging platform's dialect (seed 003, resline/dify-plugin-repackaging): the
defaults are its routes, fields and state words; every one can be overridden from params
(`dialect_options`)."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from ...checks import CouldNotCheck, ErrorReason
from ...connect import body_excerpt, check_access
from .._dialect import Canonical, Created, FrameKind, TaskDialect

REAL_TASKS = [
    "app.workers.celery_app.process_repackaging",
    "app.workers.celery_app.process_marketplace_repackaging",
    "app.workers.celery_app.cleanup_old_files",
]


class RepackagingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    create_path: str = "/api/v1/tasks"
    status_path: str = "/api/v1/tasks/{task_id}"
    download_path: str = "/api/v1/tasks/{task_id}/download"
    ws_path: str = "/ws/tasks/{task_id}"
    health_path: str = "/health"
    unrelated_paths: list[str] = Field(default_factory=lambda: ["/", "/api/v1/openapi.json"])
    url_field: str = "url"
    extra_body: dict[str, Any] = Field(default_factory=lambda: {"platform": "", "suffix": "offline"})
    create_statuses: list[int] = Field(default_factory=lambda: [200, 201, 202])
    not_ready_statuses: list[int] = Field(default_factory=lambda: [400])
    fields: dict[str, str] = Field(
        default_factory=lambda: {
            "id": "task_id",
            "status": "status",
            "progress": "progress",
            "error": "error",
            "output": "output_filename",
            "updated": "updated_at",
            "created": "created_at",
            "message": "message",
        }
    )
    pending_words: list[str] = Field(default_factory=lambda: ["pending"])
    running_words: list[str] = Field(default_factory=lambda: ["downloading", "processing"])
    completed_words: list[str] = Field(default_factory=lambda: ["completed"])
    failed_words: list[str] = Field(default_factory=lambda: ["failed"])
    frame_type_field: str = "type"
    heartbeat_types: list[str] = Field(default_factory=lambda: ["heartbeat", "ping"])
    error_types: list[str] = Field(default_factory=lambda: ["error"])
    task_names: list[str] = Field(default_factory=lambda: list(REAL_TASKS))
    queue: str = "celery"


class RepackagingDialect(TaskDialect):
    name = "repackaging"

    def __init__(self, options: RepackagingOptions | None = None) -> None:
        self.options = options or RepackagingOptions()

    def create(self, http: httpx.Client, package_url: str) -> Created:
        body = {self.options.url_field: package_url, **self.options.extra_body}
        response = http.post(self.options.create_path, json=body)
        try:
            answer: Any = response.json()
        except ValueError:
            answer = response.text[:300]
        created = Created(response.status_code, answer, headers=dict(response.headers))
        if response.status_code == 429:
            created.retry_after_s = _seconds(response.headers.get("retry-after"))
        elif response.status_code in self.options.create_statuses:
            task_id = answer.get(self.options.fields["id"]) if isinstance(answer, dict) else None
            if not task_id:
                raise CouldNotCheck(
                    ErrorReason.DIALECT,
                    f"POST {self.options.create_path} answered {response.status_code} without the field "
                    f"{self.options.fields['id']!r} (dialect_options.fields.id): {body_excerpt(response)}",
                )
            created.task_id = str(task_id)
        else:
            check_access(response, route_param="dialect_options.create_path", dialect=self.name)
            if 400 <= response.status_code < 500:  # our body was not understood
                raise CouldNotCheck(
                    ErrorReason.DIALECT,
                    f"POST {self.options.create_path} refused the task body {body} with {response.status_code}: "
                    f"{body_excerpt(response)} (set dialect_options.url_field / extra_body)",
                )
        return created

    def status_path(self, task_id: str) -> str:
        return self.options.status_path.format(task_id=task_id)

    def download(self, http: httpx.Client, task_id: str) -> httpx.Response:
        return http.get(self.options.download_path.format(task_id=task_id))

    def health(self, http: httpx.Client, timeout_s: float) -> httpx.Response:
        return http.get(self.options.health_path, timeout=timeout_s)

    def ws_path(self, task_id: str) -> str:
        return self.options.ws_path.format(task_id=task_id)

    def frame_kind(self, frame: Any, task_id: str) -> FrameKind:
        if not isinstance(frame, dict):
            return "foreign"
        kind = frame.get(self.options.frame_type_field)
        if kind in self.options.heartbeat_types:
            return "heartbeat"
        if kind in self.options.error_types:
            return "error"
        if frame.get(self.options.fields["id"]) == task_id and self.options.fields["status"] in frame:
            return "record"
        return "foreign"

    def state(self, record: dict[str, Any]) -> Canonical:
        word = record.get(self.options.fields["status"])
        for canonical, words in (
            ("pending", self.options.pending_words),
            ("running", self.options.running_words),
            ("completed", self.options.completed_words),
            ("failed", self.options.failed_words),
        ):
            if word in words:
                return canonical  # type: ignore[return-value]
        return "unknown"

    def field(self, record: dict[str, Any], name: str) -> Any:
        return record.get(self.options.fields[name])

    @property
    def task_names(self) -> list[str]:
        return list(self.options.task_names)

    @property
    def queue(self) -> str:
        return self.options.queue

    @property
    def unrelated_paths(self) -> list[str]:
        return list(self.options.unrelated_paths)

    @property
    def not_ready_statuses(self) -> list[int]:
        return list(self.options.not_ready_statuses)


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
