"""Reference backend units, offline: seed 001's dialect on the local-serving deployment (API key on
/api/, detail objects, 400 for malformed ids, config/debug keys, metadata, the model's refusals),
its settings and switches, and the launcher's spec (two sockets, the key published as a secret)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from workbook.sandbox import FaultSwitches, ServiceContext
from workbook.sandbox.refbackend import FAULTS, AssetPersistenceService, Settings, faults, service
from workbook.sandbox.refbackend._app import create_app
from workbook.sandbox.refbackend._model import ModelRejectedError, render
from workbook.sandbox.refbackend._storage import S3Storage

SECRET = "very-secret-value-123"
KEY = "the-api-key"
HEADERS = {"X-API-Key": KEY}
GENERATE = "/api/mv/generate_character_reference"


def local_settings(tmp_path: Path) -> Settings:
    return Settings(
        serve_from_cloud=False,
        bucket="bucket",
        endpoint_url="http://127.0.0.1:9",
        access_key="AKIDLOCAL",
        secret_key=SECRET,
        presigned_url_expiry_s=5,
        character_reference_dir=tmp_path / "refs",
        api_key=KEY,
    )


class AppClient:
    """Sync calls into the ASGI app in-process (httpx.ASGITransport; no server, no port)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://backend") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(send())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


def app_client(
    tmp_path: Path, initial: dict[str, Any] | None = None, **changes: Any
) -> tuple[AppClient, FaultSwitches]:
    # No bucket: generate uploads nothing, so the local deployment runs without a store.
    settings = dataclasses.replace(local_settings(tmp_path), bucket="", **changes)
    switches = FaultSwitches(FAULTS, initial=initial or {})
    storage = S3Storage(dataclasses.replace(settings, bucket="bucket"), switches)
    return AppClient(create_app(AssetPersistenceService(storage), settings)), switches


@pytest.fixture
def client(tmp_path: Path) -> AppClient:
    return app_client(tmp_path)[0]


def test_every_api_route_needs_the_key_and_health_is_open(client: AppClient, tmp_path: Path) -> None:
    missing = client.get("/api/mv/config/debug")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "ApiKey"
    assert missing.json()["message"].startswith("API key missing")
    assert client.get("/api/mv/config/debug", headers={"X-API-Key": "wrong"}).json()["message"] == "Invalid API key"
    assert client.get("/api/mv/config/debug", headers=HEADERS).status_code == 200
    assert client.get("/api/mv/config/debug", params={"api_key": KEY}).status_code == 200
    assert client.get("/health").json() == {"status": "healthy", "service": "ai-video-generator", "version": "1.0.0"}
    # API_KEY unset: any key is accepted, but a key must still be sent (auth.py:38-40, main.py:108-117).
    unset, _ = app_client(tmp_path, api_key="")
    assert unset.get("/api/mv/config/debug").status_code == 401
    assert unset.get("/api/mv/config/debug", headers={"X-API-Key": "anything"}).status_code == 200


def test_config_debug_has_the_real_upper_case_keys_and_no_secret(client: AppClient) -> None:
    body = client.get("/api/mv/config/debug", headers=HEADERS).json()
    assert body == {
        "SERVE_FROM_CLOUD": False,
        "STORAGE_BACKEND": "s3",
        "STORAGE_BUCKET": "",
        "PRESIGNED_URL_EXPIRY": 5,
        "cloud_serving_enabled": False,
    }
    assert SECRET not in str(body)


def test_generate_metadata_and_local_serving(client: AppClient) -> None:
    response = client.post(GENERATE, headers=HEADERS, json={"character_description": " robot ", "num_images": 2})
    assert response.status_code == 200
    body = response.json()
    assert [set(image) for image in body["images"]] == [{"id", "path", "base64", "cloud_url"}] * 2
    assert body["metadata"]["num_images_requested"] == 2 and body["metadata"]["num_images_generated"] == 2
    assert body["metadata"]["model_used"] == "google/imagen-4" and body["metadata"]["character_description"] == "robot"
    assert body["metadata"]["parameters_used"]["output_format"] == "png" and "generation_timestamp" in body["metadata"]
    image = body["images"][0]
    served = client.get(f"/api/mv/get_character_reference/{image['id']}", headers=HEADERS)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"] == f'attachment; filename="{image["id"]}.png"'
    assert served.content == base64.b64decode(image["base64"])


def test_output_format_and_free_aspect_ratio_go_to_the_model(client: AppClient) -> None:
    body = {"character_description": "r", "num_images": 1, "aspect_ratio": "16:9", "output_format": "webp"}
    image = client.post(GENERATE, headers=HEADERS, json=body).json()["images"][0]
    assert image["path"].endswith(".webp")
    with Image.open(io.BytesIO(base64.b64decode(image["base64"]))) as decoded:
        assert decoded.format == "WEBP" and decoded.size == (384, 216)
    served = client.get(f"/api/mv/get_character_reference/{image['id']}", headers=HEADERS)
    assert served.headers["content-type"] == "image/webp"
    with pytest.raises(ModelRejectedError, match="aspect_ratio must be one of"):
        render("r", 0, "2:1")


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        ({"character_description": "   "}, 400, "ValidationError"),
        ({"character_description": "r", "aspect_ratio": "not-a-ratio"}, 400, "ModelError"),
        ({"character_description": "r", "output_format": "tiff"}, 400, "ModelError"),
    ],
)
def test_refusals_carry_detail_objects(client: AppClient, payload: dict[str, Any], status: int, error: str) -> None:
    response = client.post(GENERATE, headers=HEADERS, json=payload)
    assert response.status_code == status and response.json()["detail"]["error"] == error


@pytest.mark.parametrize("payload", [{"character_description": "r", "num_images": 5}, {"num_images": 1}])
def test_pydantic_refusals_are_422(client: AppClient, payload: dict[str, Any]) -> None:
    assert client.post(GENERATE, headers=HEADERS, json=payload).status_code == 422


def test_malformed_ids_are_400_and_unknown_ids_404_with_detail_objects(client: AppClient) -> None:
    malformed = client.get("/api/mv/get_character_reference/not-a-uuid", headers=HEADERS)
    assert malformed.status_code == 400 and malformed.json()["detail"]["message"] == "Invalid image_id format"
    unknown = client.get(f"/api/mv/get_character_reference/{uuid.uuid4()}", headers=HEADERS)
    assert unknown.status_code == 404 and unknown.json()["detail"]["error"] == "NotFound"


def test_model_rejection_swallowed_answers_200_with_zero_images(tmp_path: Path) -> None:
    client, _ = app_client(tmp_path, {"model_rejection_swallowed": True})
    body = client.post(GENERATE, headers=HEADERS, json={"character_description": "r", "aspect_ratio": "x"}).json()
    assert body["images"] == [] and body["metadata"]["num_images_generated"] == 0


def test_unknown_id_500_is_on_the_deployment_it_names(tmp_path: Path) -> None:
    client, switches = app_client(tmp_path, {"unknown_id_500": True})
    assert client.get(f"/api/mv/get_character_reference/{uuid.uuid4()}", headers=HEADERS).status_code == 500
    switches.update({"unknown_id_500": "cloud"})
    assert client.get(f"/api/mv/get_character_reference/{uuid.uuid4()}", headers=HEADERS).status_code == 404


def test_service_spec_two_sockets_and_a_published_key(tmp_path: Path) -> None:
    ctx = ServiceContext(
        state_dir=tmp_path,
        outputs={"s3": {"endpoint": "http://127.0.0.1:1", "bucket": "b", "region": "us-east-1"}},
        secrets={"SANDBOX_S3_ACCESS_KEY": "AK", "SANDBOX_S3_SECRET_KEY": "SK"},
    )
    spec = service(ctx)
    try:
        assert spec.outputs["admin_url"] == spec.outputs["url"] != spec.outputs["local_url"]
        assert spec.ready_url == spec.outputs["url"] + "/health"
        assert spec.secrets["SANDBOX_REFBACKEND_API_KEY"] == spec.env["API_KEY"] and len(spec.env["API_KEY"]) >= 32
        assert spec.env["STORAGE_BUCKET"] == "b" and spec.env["PRESIGNED_URL_EXPIRY"] == "3"
        assert len(spec.sockets) == 2
    finally:
        for sock in spec.sockets:
            sock.close()


@pytest.mark.parametrize(
    ("initial", "message"),
    [
        ({"redirect_permanent": 302}, "'redirect_permanent' takes true, 301 or 308, got 302"),
        ({"slow_presign": -5}, "'slow_presign' takes true or a positive number of ms, got -5"),
        ({"unknown_id_500": "both"}, "'unknown_id_500' takes true"),
        ({"debug_leaks_secret": "yes"}, "'debug_leaks_secret' takes true, got 'yes'"),
    ],
)
def test_fault_values_are_validated_before_anything_starts(initial: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        faults(initial)
    assert faults({"redirect_permanent": 308, "unknown_id_500": "cloud"}).on("unknown_id_500")


def test_generate_faults_change_what_is_accepted_and_rendered(tmp_path: Path) -> None:
    client, switches = app_client(tmp_path, {"lenient_generate": True, "aspect_ratio_ignored": True})
    lenient = client.post(GENERATE, headers=HEADERS, json={"character_description": "", "num_images": 0})
    assert lenient.status_code == 200 and lenient.json()["images"] == []
    wide = client.post(
        GENERATE, headers=HEADERS, json={"character_description": "r", "num_images": 1, "aspect_ratio": "16:9"}
    )
    with Image.open(io.BytesIO(base64.b64decode(wide.json()["images"][0]["base64"]))) as image:
        assert image.size == (256, 256)
    switches.update({"lenient_generate": None, "bad_input_500": True})
    crashed = client.post(GENERATE, headers=HEADERS, json={"character_description": "r", "num_images": 0})
    assert crashed.status_code == 500 and crashed.json()["error"] == "Internal server error"
