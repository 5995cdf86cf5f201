"""The persistence service and the S3 inspector against real SeaweedFS (signatures are enforced)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import BotoCoreError

from workbook.persistence._inspect import sha256_hex
from workbook.persistence._presign import tampered_signature, verify_presigned_url
from workbook.persistence._s3 import S3Inspector, make_s3_client
from workbook.sandbox import FaultSwitches, Sandbox
from workbook.sandbox.refbackend import FAULTS, AssetPersistenceService, Settings
from workbook.sandbox.refbackend._model import render
from workbook.sandbox.refbackend._storage import S3Storage

from .offline import FakeS3Client


@pytest.fixture
def settings(sandbox: Sandbox, tmp_path: Path) -> Settings:
    s3 = sandbox.outputs["s3"]
    return Settings(
        serve_from_cloud=True,
        storage_backend="s3",
        bucket=s3["bucket"],
        region=s3["region"],
        endpoint_url=s3["endpoint"],
        access_key=sandbox.secrets["SANDBOX_S3_ACCESS_KEY"],
        secret_key=sandbox.secrets["SANDBOX_S3_SECRET_KEY"],
        presigned_url_expiry_s=30,
        character_reference_dir=tmp_path / "refs",
    )


@pytest.fixture
def inspector(settings: Settings) -> S3Inspector:
    client = make_s3_client(
        endpoint_url=settings.endpoint_url or "",
        region=settings.region,
        access_key=settings.access_key,
        secret_key=settings.secret_key,
    )
    return S3Inspector(client, settings.bucket)


def make_service(settings: Settings, **initial: object) -> AssetPersistenceService:
    return AssetPersistenceService(S3Storage(settings, FaultSwitches(FAULTS, initial=initial)))


def test_persist_presign_fetch_and_inspect(settings: Settings, inspector: S3Inspector, tmp_path: Path) -> None:
    service = make_service(settings)
    image = tmp_path / "st-1.png"
    image.write_bytes(render("robot", 0, "1:1"))
    url = asyncio.run(service.persist_character_reference("st-1", str(image)))
    info = inspector.object_info("character_references/st-1.png")
    assert info is not None and info.sha256 == sha256_hex(image.read_bytes()) and info.content_type == "image/png"
    verification = verify_presigned_url(url, access_key=settings.access_key, secret_key=settings.secret_key)
    assert verification.ok, verification.problems
    assert httpx.get(url).content == image.read_bytes()
    assert httpx.get(tampered_signature(url)).status_code == 403
    assert inspector.delete(["character_references/st-1.png"]) == 1
    assert inspector.object_info("character_references/st-1.png") is None


def test_job_round_trip_in_the_real_layout(settings: Settings, inspector: S3Inspector, tmp_path: Path) -> None:
    service = make_service(settings)
    settings.character_reference_dir.mkdir(parents=True)
    for name in ("ref-a", "ref-b"):
        (settings.character_reference_dir / f"{name}.png").write_bytes(render(name, 0, "1:1"))
    job_dir = tmp_path / "job"
    urls = asyncio.run(
        service.associate_character_images_with_job(
            job_id="unit-job", image_ids=["ref-a", "ref-b", "nope"], local_base_path=str(job_dir)
        )
    )
    assert len(urls) == 2  # an id without a local image is skipped, as the real service does
    (job_dir / "scenes").mkdir()
    (job_dir / "scenes" / "scene_1.mp4").write_bytes(b"scene 1")
    (job_dir / "metadata.json").write_text("{}")
    result = asyncio.run(service.persist_job_assets(job_id="unit-job", local_base_path=str(job_dir)))
    assert set(result) == {"final_video", "scenes", "audio", "metadata", "script", "uploads", "character_references"}
    assert len(result["character_references"]) == 2 and len(result["scenes"]) == 1 and result["final_video"] is None
    assert sorted(inspector.list_keys("videos/unit-job/")) == [
        "videos/unit-job/intermediate/character_reference/ref-a.png",
        "videos/unit-job/intermediate/character_reference/ref-b.png",
        "videos/unit-job/intermediate/metadata.json",
        "videos/unit-job/intermediate/scenes/scene_1.mp4",
    ]
    assert asyncio.run(service.get_character_reference_url(image_id="ref-a", job_id="unit-job")) is not None
    assert asyncio.run(service.get_character_reference_url(image_id="ref-z", job_id="unit-job")) is None
    download = tmp_path / "download"
    asyncio.run(service.download_job_assets(job_id="unit-job", local_base_path=str(download)))
    for path in job_dir.rglob("*"):
        if path.is_file():
            assert (download / path.relative_to(job_dir)).read_bytes() == path.read_bytes()
    # The real service's shallow listing restores folders only, no file.
    shallow = tmp_path / "shallow"
    asyncio.run(make_service(settings, download_restores_nothing=True).download_job_assets("unit-job", str(shallow)))
    assert [p for p in shallow.rglob("*") if p.is_file()] == [] and (shallow / "intermediate").is_dir()
    assert inspector.delete(inspector.list_keys("videos/unit-job/")) == 4


def test_unreachable_storage_raises_instead_of_hanging(settings: Settings) -> None:
    storage = S3Storage(settings, FaultSwitches(FAULTS, initial={"storage_unreachable": True}))
    with pytest.raises(BotoCoreError):
        storage.exists("character_references/x.png")


def test_the_content_type_probe_tells_seaweedfs_from_aws(inspector: S3Inspector) -> None:
    # SeaweedFS sniffs untyped uploads (measured: a PNG without ContentType is stored image/png).
    assert inspector.infers_content_type("character_references/wb-probe-test.png") is True
    assert not inspector.exists("character_references/wb-probe-test.png")
    # An AWS-like store keeps binary/octet-stream for untyped uploads.
    assert S3Inspector(FakeS3Client({}), "bucket").infers_content_type("p.png") is False
