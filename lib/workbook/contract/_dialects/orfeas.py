"""ORFEAS's dialect (seed 002): asynchronous jobs whose result name only the job status knows.

Upload answers a `job_id`; generate-3d takes that id, answers `generating_3d` and keeps it as the
3D job's id (a repeat while it runs gets 409); `/api/job-status/<id>` moves through
`initializing`/`processing` to `completed` (with `download_url`) or `failed` (with `error`).
Text-to-image answers `processing` with no image; the image is at the status's `preview_url`.
"""

from __future__ import annotations

from .._client import Exchange
from ._base import FollowedJob, JobOptions, StudioDialect, Submitted


class OrfeasOptions(JobOptions):
    health_paths: tuple[str, ...] = ("/api/health", "/health")
    job_status_path: str = "/api/job-status/{job_id}"
    download_path: str = "/api/download/{job_id}/{filename}"
    file_routes: tuple[str, ...] = (
        "/api/download/{job_id}/{filename}",
        "/api/download-base64/{job_id}/{filename}",
        "/api/preview/{filename}",
        "/api/preview-output/{job_id}/{filename}",
        "/api/job-status/{job_id}",
    )
    result_url_key: str = "download_url"
    result_name_key: str = "output_file"
    image_url_key: str = "preview_url"
    error_key: str = "error"


class OrfeasDialect(StudioDialect):
    name = "orfeas"
    options_model = OrfeasOptions
    options: OrfeasOptions

    def result_location(self, job: FollowedJob, submitted: Submitted) -> tuple[str, str]:
        """The result is where the finished status's `download_url` says; its name is `output_file`."""
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
