"""The stand-in speaks ORFEAS's dialect (facts from the reference, section 002, measured on the real
server run from its code): job id = upload id, 409 on a repeat, status words and keys, the result
name only in the job status, octet-stream downloads, Connection: close, flask-cors's grants."""

from __future__ import annotations

import io
import time

import httpx
from PIL import Image

from workbook.sandbox import Sandbox


def _png(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (10, 200, 30)).save(out, "PNG")
    return out.getvalue()


def test_orfeas_job_model_and_answers(studio: Sandbox) -> None:
    url = studio.outputs["studio"]["url"]
    with httpx.Client(base_url=url, timeout=10) as http:
        up = http.post("/api/upload-image", files={"image": ("a.png", _png(64), "image/png")})
        assert up.status_code == 200 and up.headers["connection"] == "close"
        job_id = up.json()["job_id"]
        assert http.get(f"/api/job-status/{job_id}").status_code == 404  # an upload has no job status
        small = http.post("/api/upload-image", files={"image": ("a.png", _png(16), "image/png")})
        assert small.status_code == 400 and small.json()["error"].startswith(
            "Security validation failed: Image too small"
        )
        started = http.post("/api/generate-3d", json={"job_id": job_id, "format": "glb"})
        assert started.status_code == 200 and started.json()["status"] == "generating_3d"
        assert started.json()["job_id"] == job_id
        assert http.post("/api/generate-3d", json={"job_id": job_id}).status_code == 409
        deadline = time.monotonic() + 10
        while (status := http.get(f"/api/job-status/{job_id}").json())["status"] not in ("completed", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert status["download_url"] == f"/api/download/{job_id}/model_{job_id}.glb"
        result = http.get(status["download_url"])
        assert result.headers["content-type"] == "application/octet-stream"
        assert result.content[:4] == b"glTF" and "attachment" in result.headers["content-disposition"]
        assert http.get("/api/job-status/not-a-uuid").json() == {"error": "Job not found"}
        text = http.post("/api/text-to-image", json={"prompt": "a fox"}).json()
        assert text["status"] == "processing" and "image_url" not in text
        cors = http.get("/api/health", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in cors.headers
        assert (
            http.get("/api/health", headers={"origin": "http://localhost:3000"}).headers["access-control-allow-origin"]
            == "http://localhost:3000"
        )
        assert http.post("/api/nope").status_code == 405 and http.get("/api/nope").status_code == 404
