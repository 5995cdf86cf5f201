"""An in-process stand-in for the seed's routes (httpx.MockTransport), for checks tested offline.

It is deliberately not the reference backend: a few lines per behaviour, switched by attributes,
so a check's decision can be driven to each outcome without SeaweedFS or a server process.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from workbook.checks import Checks, CheckStatus
from workbook.persistence import CHECKS, PersistenceRun
from workbook.persistence._api import GeneratedImage
from workbook.persistence._catalog import CHECK_FUNCTIONS
from workbook.persistence._session import StoredImage

from .conftest import settings_of

API = "http://backend.test"
STORE = "http://s3.test"
BUCKET = "bucket"
ACCESS_KEY, SECRET_KEY = "AKIDOFFLINE0001", "offline-secret-key-0123456789"


def png(width: int = 32, height: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


class FakeBackend:
    """Serves one image from "cloud" (JSON with a URL into a fake store) or locally (image/png)."""

    def __init__(self, *, config: dict[str, Any] | None = None, serves: str = "cloud") -> None:
        self.config = config if config is not None else {"serve_from_cloud": serves == "cloud"}
        self.serves = serves
        self.storage_up = True
        self.fallback = True
        self.images = {"0b7e0e5a-0000-4000-8000-000000000001": png()}
        self.switch_calls: list[bool] = []
        # Called before a GET is answered: lets a test make the request itself fail.
        self.on_get: Callable[[httpx.Request], None] | None = None

    def switch(self, unreachable: bool) -> None:
        self.switch_calls.append(unreachable)
        self.storage_up = not unreachable

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.url.host == "s3.test":
            image_id = path.rsplit("/", 1)[-1].removesuffix(".png")
            return httpx.Response(200, content=self.images[image_id], headers={"content-type": "image/png"})
        if path == "/api/mv/config/debug":
            return (
                httpx.Response(404, json={"detail": "Not Found"})
                if not self.config
                else httpx.Response(200, json=self.config)
            )
        if path.startswith("/api/mv/get_character_reference/"):
            if self.on_get is not None:
                self.on_get(request)
            return self._get(path.rsplit("/", 1)[-1])
        return httpx.Response(404, json={"detail": "no such route"})

    def _get(self, image_id: str) -> httpx.Response:
        if image_id not in self.images:
            return httpx.Response(404, json={"detail": f"Character reference image with ID {image_id} not found"})
        local = httpx.Response(200, content=self.images[image_id], headers={"content-type": "image/png"})
        if self.serves == "local":
            return local
        if not self.storage_up:
            return local if self.fallback else httpx.Response(502, json={"detail": "storage backend unavailable"})
        key = f"character_references/{image_id}.png"
        return httpx.Response(
            200,
            json={
                "image_id": image_id,
                "image_url": f"{STORE}/{BUCKET}/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256",
                "storage_backend": "s3",
                "expires_in_seconds": 3600,
                "cloud_path": key,
            },
        )


def open_run(
    backend: FakeBackend, monkeypatch: pytest.MonkeyPatch, *, switch: bool = True, **overrides: Any
) -> PersistenceRun:
    """A run against `backend` with the generated images already in place (as check 1 leaves them)."""
    monkeypatch.setenv("OFFLINE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("OFFLINE_SECRET_KEY", SECRET_KEY)
    values: dict[str, Any] = {
        "api_base_url": API,
        "storage_bucket": BUCKET,
        "s3_access_key_env": "OFFLINE_ACCESS_KEY",
        "s3_secret_key_env": "OFFLINE_SECRET_KEY",
        "service_import": "",
        **overrides,
    }
    run = PersistenceRun.open(
        settings_of(**values),
        transport=httpx.MockTransport(backend.handler),
        storage_switch=backend.switch if switch else None,
        s3_client=object(),
    )
    run.images = [
        StoredImage(GeneratedImage(id=image_id, base64=base64.b64encode(data).decode()), data)
        for image_id, data in backend.images.items()
    ]
    return run


def run_check(check_id: str, run: PersistenceRun, results_dir: Path) -> tuple[CheckStatus, str]:
    checks = Checks("10_persistence", CHECKS, results_dir=results_dir)
    with checks.run(check_id) as context:
        CHECK_FUNCTIONS[check_id](context, run)
    (result,) = checks.results
    return result.status, result.detail
