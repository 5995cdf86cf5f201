"""The job-resource dialect the workbook spoke before ORFEAS's: the submit answer says where the result is.

Text-to-image answers `image_url` at once; generate-3d answers a new job id and a `result_url`;
`GET /api/jobs/{id}` says `processing` or `completed`. A real protocol (FastAPI-style job
resources); kept so a platform that speaks it needs no new code.
"""

from __future__ import annotations

from typing import ClassVar

from .._client import Exchange
from ._base import FollowedJob, JobOptions, StudioDialect, Submitted


class SynchronousOptions(JobOptions):
    job_status_path: str = "/api/jobs/{job_id}"
    result_path: str = "/api/jobs/{job_id}/result"
    file_routes: tuple[str, ...] = ("/api/jobs/{job_id}/result", "/api/jobs/{job_id}")
    done_states: tuple[str, ...] = ("completed", "complete", "done", "succeeded", "success", "finished")
    failed_states: tuple[str, ...] = ("failed", "error", "cancelled", "canceled")
    result_url_key: str = "result_url"
    image_url_key: str = "image_url"


class SynchronousDialect(StudioDialect):
    name = "synchronous"
    options_model = SynchronousOptions
    route_options: ClassVar[dict[str, str]] = {**StudioDialect.route_options, "download": "result_path"}
    options: SynchronousOptions

    def result_location(self, job: FollowedJob, submitted: Submitted) -> tuple[str, str]:
        """The result is where the submit answer's `result_url` says, else at `result_path`."""
        body = submitted.answer.json()
        given = body.get(self.options.result_url_key) if isinstance(body, dict) else None
        return str(given or self.options.result_path.format(job_id=job.job_id)), ""

    def image_location(self, job: FollowedJob, submitted: Submitted) -> str:
        body = submitted.answer.json()
        return str(body.get(self.options.image_url_key) or "") if isinstance(body, dict) else ""

    def work_probe(self, image: bytes) -> Exchange:
        return self.upload(image, "readiness.png").answer
