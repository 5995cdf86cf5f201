"""The job-resource dialect the workbook spoke before ORFEAS's: the submit answer says where the result is.

Text-to-image answers `image_url` at once; generate-3d answers a new job id and a `result_url`;
`GET /api/jobs/{id}` says `processing` or `completed`. A real protocol (FastAPI-style job
resources); kept so a platform that speaks it needs no new code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .._client import Exchange
from ._base import DialectOptions, FollowedJob, StudioDialect, Submitted
from .orfeas import _job_id


class SynchronousOptions(DialectOptions):
    health_paths: tuple[str, ...] = ("/health",)
    ready_path: str = "/ready"
    upload_path: str = "/api/upload-image"
    upload_field: str = "image"
    text_to_image_path: str = "/api/text-to-image"
    generate_3d_path: str = "/api/generate-3d"
    job_status_path: str = "/api/jobs/{job_id}"
    result_path: str = "/api/jobs/{job_id}/result"
    file_routes: tuple[str, ...] = (
        "/api/jobs/{job_id}/result",
        "/api/jobs/{job_id}",
    )
    state_key: str = "status"
    done_states: tuple[str, ...] = (
        "completed",
        "complete",
        "done",
        "succeeded",
        "success",
        "finished",
    )
    failed_states: tuple[str, ...] = (
        "failed",
        "error",
        "cancelled",
        "canceled",
    )
    result_url_key: str = "result_url"
    image_url_key: str = "image_url"


class SynchronousDialect(StudioDialect):
    name = "synchronous"
    options_model = SynchronousOptions
    route_options: ClassVar[dict[str, str]] = {
        "upload": "upload_path",
        "text_to_image": "text_to_image_path",
        "generate_3d": "generate_3d_path",
        "job_status": "job_status_path",
        "download": "result_path",
        "ready": "ready_path",
    }
    options: SynchronousOptions

    @property
    def health_paths(self) -> list[str]:
        return list(self.options.health_paths)

    @property
    def ready_path(self) -> str:
        return self.options.ready_path

    def routes(self) -> dict[str, tuple[str, str]]:
        o = self.options
        return {
            "upload": ("POST", o.upload_path),
            "text_to_image": ("POST", o.text_to_image_path),
            "generate_3d": ("POST", o.generate_3d_path),
            "job_status": ("GET", o.job_status_path),
            "download": ("GET", o.result_path),
            **{f"health {path}": ("GET", path) for path in o.health_paths},
            "ready": ("GET", o.ready_path),
        }

    def upload(self, data: bytes, filename: str = "image.png", content_type: str = "image/png") -> Submitted:
        answer = self.send("upload", files={self.options.upload_field: (filename, data, content_type)})
        return Submitted(_job_id(answer), answer)

    def text_to_image(self, body: Any) -> Submitted:
        answer = self.send("text_to_image", json=body)
        return Submitted(_job_id(answer), answer)

    def generate_3d(self, body: Any) -> Submitted:
        answer = self.send("generate_3d", json=body)
        return Submitted(_job_id(answer), answer)

    def generate_body(self, source_id: str, file_format: str, quality: int) -> dict[str, Any]:
        return {"job_id": source_id, "format": file_format, "quality": quality}

    def job_status(self, job_id: str) -> Exchange:
        return self.send("job_status", self.options.job_status_path.format(job_id=job_id))

    def state_of(self, status: Mapping[str, Any]) -> tuple[str, bool, bool]:
        state = str(status.get(self.options.state_key, "")).lower()
        done, failed = state in self.options.done_states, state in self.options.failed_states
        return state, done or failed, done

    def result_location(self, job: FollowedJob, submitted: Submitted) -> tuple[str, str]:
        body = submitted.answer.json()
        given = body.get(self.options.result_url_key) if isinstance(body, dict) else None
        url = str(given or self.options.result_path.format(job_id=job.job_id))
        return url, ""

    def image_location(self, job: FollowedJob, submitted: Submitted) -> str:
        body = submitted.answer.json()
        return str(body.get(self.options.image_url_key) or "") if isinstance(body, dict) else ""

    def work_probe(self, image: bytes) -> Exchange:
        return self.upload(image, "readiness.png").answer
