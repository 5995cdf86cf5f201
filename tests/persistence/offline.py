"""An in-process stand-in for the seed's routes (httpx.MockTransport), for checks tested offline.

It is deliberately not the reference backend: a few lines per behaviour, switched by attributes,
so a check's decision can be driven to each outcome without SeaweedFS or a server process. Its
presigned URLs are real SigV4 URLs (botocore signs locally; nothing is sent) into a fake store.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from botocore.exceptions import ClientError
from PIL import Image

from workbook.checks import CheckResult, Checks, CheckStatus
from workbook.connect import s3_client
from workbook.persistence import CHECKS, PersistenceRun
from workbook.persistence._api import GeneratedImage
from workbook.persistence._catalog import CHECK_FUNCTIONS
from workbook.persistence._session import StoredImage

from .conftest import settings_of

API = "http://backend.test"
STORE = "http://s3.test"
BUCKET = "bucket"
REGION = "us-east-1"
ACCESS_KEY, SECRET_KEY = "AKIDOFFLINE0001", "offline-secret-key-0123456789"
SIZES = {"1:1": (48, 48), "16:9": (96, 54), "9:16": (54, 96), "4:3": (64, 48)}
MAX_IMAGES = 4
DEFAULT_CONFIG = object()


def png(width: int = 48, height: int = 48, shade: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, shade, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


class FakeS3Client:
    """The few boto3 S3 calls the inspector makes, over the fake backend's objects."""

    def __init__(self, objects: dict[str, tuple[bytes, str]]) -> None:
        self.objects = objects

    def _missing(self, operation: str) -> ClientError:
        return ClientError({"Error": {"Code": "NoSuchKey", "Message": "no such key"}}, operation)

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        if Key not in self.objects:
            raise self._missing("GetObject")
        data, content_type = self.objects[Key]
        return {"Body": io.BytesIO(data), "ContentType": content_type}

    def head_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        if Key not in self.objects:
            raise self._missing("HeadObject")
        return {"ContentType": self.objects[Key][1]}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str = "") -> dict[str, Any]:
        # Like AWS: what was sent, or binary/octet-stream.
        self.objects[Key] = (Body, ContentType or "binary/octet-stream")
        return {}

    def delete_objects(self, *, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        for item in Delete["Objects"]:
            self.objects.pop(item["Key"], None)
        return {}


class FakeBackend:
    """Serves images from "cloud" (JSON with a presigned URL into a fake store) or locally.

    Attributes a test flips: `config` (the config/debug body; None answers 404, a string is sent
    as text), `serves` ("cloud" | "local" | "error"), `storage_up`, `fallback`, `redirect_status`,
    `cache_urls`, `ratio_ignored`, `validation` ("strict" | "lenient" | "crash").
    """

    def __init__(self, *, config: Any = DEFAULT_CONFIG, serves: str = "cloud") -> None:
        self.config: dict[str, Any] | str | None = (
            {"serve_from_cloud": serves == "cloud"} if config is DEFAULT_CONFIG else config
        )
        self.serves = serves
        self.storage_up = True
        self.fallback = True
        self.redirect_status = 307
        self.cache_urls = False
        self.ratio_ignored = False
        self.validation = "strict"
        self.expiry_s = 3600
        # Seconds in the past the backend's presigned URLs are signed (a stale cache, a slow clock).
        self.sign_age_s = 0.0
        self.images: dict[str, bytes] = {}
        # key -> (bytes, content type): the fake bucket, shared with the FakeS3Client.
        self.objects: dict[str, tuple[bytes, str]] = {}
        # Presigned URLs handed out and when they expire: the fake store serves only those.
        self.issued: dict[str, datetime] = {}
        self.add_image("0b7e0e5a-0000-4000-8000-000000000001", png())
        self.switch_calls: list[bool] = []
        self.generate_requests: list[dict[str, Any]] = []
        # Called before a GET is answered: lets a test make the request itself fail.
        self.on_get: Callable[[httpx.Request], None] | None = None
        self._signer = s3_client(endpoint_url=STORE, region=REGION, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        self._cached: dict[str, str] = {}

    def add_image(self, image_id: str, data: bytes) -> None:
        self.images[image_id] = data
        self.objects[f"character_references/{image_id}.png"] = (data, "image/png")

    def s3(self) -> FakeS3Client:
        return FakeS3Client(self.objects)

    def switch(self, unreachable: bool) -> None:
        self.switch_calls.append(unreachable)
        self.storage_up = not unreachable

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.url.host == "s3.test":
            return self._store_get(str(request.url), path.removeprefix(f"/{BUCKET}/"))
        if path == "/api/mv/config/debug":
            if self.config is None:
                return httpx.Response(404, json={"detail": "Not Found"})
            if isinstance(self.config, str):
                return httpx.Response(200, text=self.config, headers={"content-type": "text/html"})
            return httpx.Response(200, json=self.config)
        if path == "/api/mv/generate_character_reference":
            return self._generate(json.loads(request.content))
        if path.startswith("/api/mv/get_character_reference/"):
            if self.on_get is not None:
                self.on_get(request)
            return self._get(path.rsplit("/", 1)[-1], redirect=request.url.params.get("redirect") == "true")
        return httpx.Response(404, json={"detail": "no such route"})

    def presign(self, key: str) -> str:
        if self.cache_urls and key in self._cached:
            return self._cached[key]
        signed_at = datetime.now(UTC) - timedelta(seconds=self.sign_age_s)
        # botocore reads the signing time from this function (the verifier recipe of the research notes).
        with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at.replace(tzinfo=None)):
            url: str = self._signer.generate_presigned_url(
                "get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=self.expiry_s
            )
        self._cached[key] = url
        self.issued[url] = signed_at + timedelta(seconds=self.expiry_s)
        return url

    def _store_get(self, url: str, key: str) -> httpx.Response:
        # A store that enforces signatures: only URLs exactly as issued, until they expire.
        if url not in self.issued:
            return httpx.Response(403, text="<Code>SignatureDoesNotMatch</Code>")
        if datetime.now(UTC) > self.issued[url]:
            return httpx.Response(403, text="<Code>AccessDenied</Code><Message>Request has expired</Message>")
        data, content_type = self.objects[key]
        return httpx.Response(200, content=data, headers={"content-type": content_type})

    def _invalid(self, body: dict[str, Any]) -> str | None:
        count, ratio = body.get("num_images", 4), body.get("aspect_ratio", "1:1")
        if not isinstance(count, int) or not 1 <= count <= MAX_IMAGES:
            return f"num_images must be 1..{MAX_IMAGES}"
        if not body.get("character_description"):
            return "character_description must not be empty"
        if ratio not in SIZES:
            return f"aspect_ratio {ratio!r} is not supported"
        return None

    def _generate(self, body: dict[str, Any]) -> httpx.Response:
        self.generate_requests.append(body)
        problem = self._invalid(body)
        if problem and self.validation == "strict":
            return httpx.Response(422, json={"detail": [{"msg": problem}]})
        if problem and self.validation == "crash":
            return httpx.Response(500, text="Internal Server Error")
        ratio = body.get("aspect_ratio") if body.get("aspect_ratio") in SIZES and not self.ratio_ignored else "1:1"
        count = max(0, min(int(body.get("num_images") or 0), MAX_IMAGES))
        images = []
        for index in range(count):
            image_id, data = str(uuid.uuid4()), png(*SIZES[str(ratio)], shade=index)
            self.add_image(image_id, data)
            cloud_url = self.presign(f"character_references/{image_id}.png") if self.serves == "cloud" else None
            images.append(
                {
                    "id": image_id,
                    "path": f"/x/{image_id}.png",
                    "base64": base64.b64encode(data).decode(),
                    "cloud_url": cloud_url,
                }
            )
        return httpx.Response(200, json={"images": images, "metadata": {"num_images_generated": len(images)}})

    def _get(self, image_id: str, *, redirect: bool) -> httpx.Response:
        if image_id not in self.images:
            return httpx.Response(404, json={"detail": f"Character reference image with ID {image_id} not found"})
        local = httpx.Response(200, content=self.images[image_id], headers={"content-type": "image/png"})
        if self.serves == "local":
            return local
        if self.serves == "error":
            return httpx.Response(500, text="Internal Server Error")
        if not self.storage_up:
            return local if self.fallback else httpx.Response(502, json={"detail": "storage backend unavailable"})
        key = f"character_references/{image_id}.png"
        url = self.presign(key)
        if redirect:
            return httpx.Response(self.redirect_status, headers={"location": url})
        return httpx.Response(
            200,
            json={
                "image_id": image_id,
                "image_url": url,
                "storage_backend": "s3",
                "expires_in_seconds": self.expiry_s,
                "cloud_path": key,
            },
        )


def open_run(
    backend: FakeBackend,
    monkeypatch: pytest.MonkeyPatch,
    *,
    switch: bool = True,
    with_images: bool = True,
    **overrides: Any,
) -> PersistenceRun:
    """A run against `backend`, by default with its images in place (as check 1 leaves them)."""
    monkeypatch.setenv("OFFLINE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("OFFLINE_SECRET_KEY", SECRET_KEY)
    values: dict[str, Any] = {
        "services": {"refbackend": {"url": API}},
        "local_backend_service": "",
        "storage_bucket": BUCKET,
        "storage_endpoint": STORE,
        "storage_region": REGION,
        "s3_access_key_env": "OFFLINE_ACCESS_KEY",
        "s3_secret_key_env": "OFFLINE_SECRET_KEY",
        "expected_expiry_s": backend.expiry_s,
        "service_import": "",
        "num_images": 1,
        **overrides,
    }
    run = PersistenceRun.open(
        settings_of(**values),
        transport=backend.transport(),
        storage_switch=backend.switch if switch else None,
        s3_client=backend.s3(),
    )
    if with_images:
        run.images = [
            StoredImage(GeneratedImage(id=image_id, base64=base64.b64encode(data).decode()), data)
            for image_id, data in backend.images.items()
        ]
    return run


def run_results(check_ids: list[str], run: PersistenceRun, results_dir: Path) -> dict[str, CheckResult]:
    checks = Checks("10_persistence", CHECKS, results_dir=results_dir)
    for check_id in check_ids:
        with checks.run(check_id) as context:
            CHECK_FUNCTIONS[check_id](context, run)
    return {result.id: result for result in checks.results}


def run_checks(check_ids: list[str], run: PersistenceRun, results_dir: Path) -> dict[str, tuple[CheckStatus, str]]:
    return {check_id: (r.status, r.detail) for check_id, r in run_results(check_ids, run, results_dir).items()}


def run_check(check_id: str, run: PersistenceRun, results_dir: Path) -> tuple[CheckStatus, str]:
    return run_checks([check_id], run, results_dir)[check_id]
