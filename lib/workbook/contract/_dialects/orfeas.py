"""ORFEAS's dialect (seed 002): asynchronous jobs whose result name only the job status knows.

Upload answers a `job_id`; generate-3d takes that id, answers `generating_3d` and keeps it as the
3D job's id (a repeat while it runs gets 409); `/api/job-status/<id>` moves through
`initializing`/`processing` to `completed` (with `download_url`) or `failed` (with `error`).
Text-to-image answers `processing` with no image; the image is at the status's `preview_url`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .._client import Exchange
from ._base import DialectOptions, FollowedJob, StudioDialect, Submitted


class OrfeasOptions(DialectOptions):
    health_paths: tuple[str, ...] = ("/api/health", "/health")
    ready_path: str = "/ready"
    upload_path: str = "/api/upload-image"
    upload_field: str = "image"
    text_to_image_path: str = "/api/text-to-image"
    generate_3d_path: str = "/api/generate-3d"
    job_status_path: str = "/api/job-status/{job_id}"
    download_path: str = "/api/download/{job_id}/{filename}"
    file_routes: tuple[str, ...] = (
        "/api/download/{job_id}/{filename}",
        "/api/download-base64/{job_id}/{filename}",
        "/api/preview/{filename}",
        "/api/preview-output/{job_id}/{filename}",
        "/api/job-status/{job_id}",
    )
    state_key: str = "status"
    done_states: tuple[str, ...] = ("completed",)
    failed_states: tuple[str, ...] = ("failed",)
    result_url_key: str = "download_url"
    result_name_key: str = "output_file"
    image_url_key: str = "preview_url"
    error_key: str = "error"


class OrfeasDialect(StudioDialect):
    name = "orfeas"
    options_model = OrfeasOptions
    route_options: ClassVar[dict[str, str]] = {
        "upload": "upload_path",
        "text_to_image": "text_to_image_path",
        "generate_3d": "generate_3d_path",
        "job_status": "job_status_path",
        "download": "download_path",
        "ready": "ready_path",
    }
    options: OrfeasOptions

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
            "download": ("GET", o.download_path),
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
        state = str(status.get(self.options.state_key, ""))
        done, failed = state in self.options.done_states, state in self.options.failed_states
        return state, done or failed, done

    def result_location(self, job: FollowedJob, submitted: Submitted) -> tuple[str, str]:
        body = job.body
        url = str(body.get(self.options.result_url_key) or "")
        name = str(body.get(self.options.result_name_key) or url.rsplit("/", 1)[-1])
        return url, name

    def image_location(self, job: FollowedJob, submitted: Submitted) -> str:
        return str(job.body.get(self.options.image_url_key) or "")

    def work_probe(self, image: bytes) -> Exchange:
        """Upload an accepted image, then ask for a 3D job: ORFEAS answers 503 until its models load."""
        uploaded = self.upload(image, "readiness.png")
        if not uploaded.job_id:
            return uploaded.answer
        return self.generate_3d(self.generate_body(uploaded.job_id, "stl", 1)).answer


def _job_id(answer: Exchange) -> str | None:
    body = answer.json()
    value = body.get("job_id") if answer.ok and isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None
