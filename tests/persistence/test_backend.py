"""Reference backend units: images, settings, key layout, and the HTTP API in local-serving mode."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from workbook.sandbox import FaultSwitches, ServiceContext
from workbook.sandbox.refbackend import FAULTS, AssetPersistenceService, Settings, content_type_for, service
from workbook.sandbox.refbackend._app import create_app
from workbook.sandbox.refbackend._images import render_png

SECRET = "very-secret-value-123"


def local_settings(tmp_path: Path) -> Settings:
    return Settings(
        serve_from_cloud=False,
        bucket="bucket",
        endpoint_url="http://127.0.0.1:9",
        access_key="AKIDLOCAL",
        secret_key=SECRET,
        presigned_url_expiry_s=5,
        character_reference_dir=tmp_path / "refs",
    )


class AppClient:
    """Sync calls into the ASGI app in-process (httpx.ASGITransport; no server, no port)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://backend") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(send())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


@pytest.fixture
def client(tmp_path: Path) -> AppClient:
    return AppClient(create_app(local_settings(tmp_path), FaultSwitches(FAULTS, initial={})))


def test_images_are_deterministic_pngs_with_the_aspect_ratio() -> None:
    first, again = render_png("robot", 0, "16:9"), render_png("robot", 0, "16:9")
    assert first == again and first != render_png("robot", 1, "16:9")
    with Image.open(io.BytesIO(first)) as image:
        assert image.format == "PNG" and image.size == (384, 216)
    with pytest.raises(ValueError, match="aspect_ratio '2:1' is not supported"):
        render_png("robot", 0, "2:1")


def test_settings_from_env_and_debug_view_hides_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVE_FROM_CLOUD", "true")
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDX")
    monkeypatch.setenv("PRESIGNED_URL_EXPIRY", "7")
    settings = Settings.from_env()
    assert settings.cloud_enabled and settings.presigned_url_expiry_s == 7
    view = str(settings.debug_view())
    assert SECRET not in view and "AKIDX" not in view
    monkeypatch.setenv("PRESIGNED_URL_EXPIRY", "soon")
    with pytest.raises(ValueError, match="PRESIGNED_URL_EXPIRY='soon' is not an integer"):
        Settings.from_env()


def test_key_layout_and_fault_variants(tmp_path: Path) -> None:
    switches = FaultSwitches(FAULTS, initial={})
    svc = AssetPersistenceService(local_settings(tmp_path), faults=switches)
    assert svc.cloud_path("abc") == "character_references/abc.png"
    assert svc.cloud_path("abc", ".JPG") == "character_references/abc.jpg"
    assert svc.cloud_path("abc", "png", job_id="j1") == "jobs/j1/character_reference/abc.png"
    switches.update({"job_wrong_prefix": True, "extension_ignored": True})
    assert svc.cloud_path("abc", "webp", job_id="j1") == "character_references/abc.png"
    switches.update({"shared_cloud_key": True})
    assert svc.cloud_path("abc") == svc.cloud_path("def")


def test_presigned_urls_are_sigv4_unless_switched(tmp_path: Path) -> None:
    switches = FaultSwitches(FAULTS, initial={})
    svc = AssetPersistenceService(local_settings(tmp_path), faults=switches)
    url = svc.presign("character_references/a.png")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url and "X-Amz-Expires=5" in url
    switches.update({"sigv2_presign": True})
    assert "AWSAccessKeyId=" in svc.presign("character_references/a.png")
    switches.update({"sigv2_presign": None, "wrong_expiry": True})
    assert "X-Amz-Expires=3600" in svc.presign("character_references/a.png")


def test_content_types() -> None:
    assert content_type_for("png") == "image/png"
    assert content_type_for(".jpg") == "image/jpeg"
    assert content_type_for("webp") == "image/webp"


def test_service_needs_a_bucket(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="STORAGE_BUCKET is not set"):
        AssetPersistenceService(Settings(character_reference_dir=tmp_path))


def test_generate_and_local_serving(client: AppClient) -> None:
    response = client.post(
        "/api/mv/generate_character_reference",
        json={"character_description": "robot", "num_images": 3, "aspect_ratio": "1:1"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"]["num_images_generated"] == 3
    ids = [image["id"] for image in body["images"]]
    assert len(set(ids)) == 3 and all(image["cloud_url"] is None for image in body["images"])
    served = client.get(f"/api/mv/get_character_reference/{ids[0]}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.content == Path(body["images"][0]["path"]).read_bytes()


@pytest.mark.parametrize(
    "payload",
    [
        {"num_images": 2},
        {"character_description": "", "num_images": 2},
        {"character_description": "robot", "num_images": 0},
        {"character_description": "robot", "num_images": 99},
        {"character_description": "robot", "aspect_ratio": "2:1"},
    ],
)
def test_generate_rejects_bad_requests_with_detail(client: AppClient, payload: dict[str, object]) -> None:
    response = client.post("/api/mv/generate_character_reference", json=payload)
    assert response.status_code == 422 and response.json()["detail"]


@pytest.mark.parametrize("image_id", ["0b7e0e5a-0000-4000-8000-000000000000", "..%2F..%2Fetc%2Fpasswd", "a.b"])
def test_unknown_or_unsafe_ids_are_404(client: AppClient, image_id: str) -> None:
    response = client.get(f"/api/mv/get_character_reference/{image_id}")
    assert response.status_code == 404
    assert "not found" in response.json()["detail"].lower()


def test_config_debug_has_no_secret(client: AppClient) -> None:
    response = client.get("/api/mv/config/debug")
    assert response.status_code == 200 and response.json()["serve_from_cloud"] is False
    assert SECRET not in response.text and "AKIDLOCAL" not in response.text


def test_fault_endpoint_rejects_unknown_switch_and_health_answers(client: AppClient) -> None:
    assert client.put("/_sandbox/faults", json={"wrong_expry": True}).status_code == 400
    assert client.put("/_sandbox/faults", json={"wrong_expiry": True}).json()["faults"] == {"wrong_expiry": True}
    assert client.delete("/_sandbox/faults").json()["faults"] == {}
    assert client.get("/health").json()["status"] == "ok"


def test_service_spec_uses_s3_outputs_and_free_ports(tmp_path: Path) -> None:
    ctx = ServiceContext(
        state_dir=tmp_path,
        outputs={"s3": {"endpoint": "http://127.0.0.1:1", "bucket": "b", "region": "us-east-1"}},
        secrets={"SANDBOX_S3_ACCESS_KEY": "AK", "SANDBOX_S3_SECRET_KEY": "SK"},
    )
    spec = service(ctx)
    assert spec.outputs["url"].startswith("http://127.0.0.1:") and spec.outputs["admin_url"] == spec.outputs["url"]
    assert spec.ready_url == spec.outputs["url"] + "/health"
    assert spec.env["STORAGE_BUCKET"] == "b" and spec.env["AWS_SECRET_ACCESS_KEY"] == "SK"
    assert spec.env["SERVE_FROM_CLOUD"] == "true" and spec.env["PRESIGNED_URL_EXPIRY"] == "3"


@pytest.mark.parametrize(
    ("initial", "message"),
    [
        ({"redirect_permanent": 302}, "'redirect_permanent' takes true, 301 or 308, got 302"),
        ({"slow_presign": -5}, "'slow_presign' takes true or a positive number of ms, got -5"),
        ({"debug_leaks_secret": "yes"}, "'debug_leaks_secret' takes true, got 'yes'"),
    ],
)
def test_fault_values_are_validated_before_anything_starts(initial: dict[str, object], message: str) -> None:
    from workbook.sandbox.refbackend import faults

    with pytest.raises(ValueError, match=message):
        faults(initial)
    assert faults({"redirect_permanent": 308, "slow_presign": 20, "debug_leaks_secret": True}).on("redirect_permanent")


def test_generate_faults_change_what_is_accepted_and_rendered(tmp_path: Path) -> None:
    switches = FaultSwitches(FAULTS, initial={"lenient_generate": True, "aspect_ratio_ignored": True})
    client = AppClient(create_app(local_settings(tmp_path), switches))
    lenient = client.post("/api/mv/generate_character_reference", json={"character_description": "", "num_images": 0})
    assert lenient.status_code == 200 and lenient.json()["images"] == []
    wide = client.post(
        "/api/mv/generate_character_reference",
        json={"character_description": "r", "num_images": 1, "aspect_ratio": "16:9"},
    )
    with Image.open(io.BytesIO(base64.b64decode(wide.json()["images"][0]["base64"]))) as image:
        assert image.size == (256, 256)
    switches.update({"lenient_generate": None, "bad_input_500": True})
    crashed = client.post("/api/mv/generate_character_reference", json={"character_description": "r", "num_images": 0})
    assert crashed.status_code == 500
