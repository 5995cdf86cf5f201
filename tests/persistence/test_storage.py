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
from workbook.sandbox.refbackend._images import render_png

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


def test_persist_presign_fetch_and_inspect(settings: Settings, inspector: S3Inspector, tmp_path: Path) -> None:
    service = AssetPersistenceService(settings, faults=FaultSwitches(FAULTS, initial={}))
    image = tmp_path / "st-1.png"
    image.write_bytes(render_png("robot", 0, "1:1"))
    url = asyncio.run(service.persist_character_reference("st-1", str(image)))
    info = inspector.object_info("character_references/st-1.png")
    assert info is not None and info.sha256 == sha256_hex(image.read_bytes()) and info.content_type == "image/png"
    verification = verify_presigned_url(url, access_key=settings.access_key, secret_key=settings.secret_key)
    assert verification.ok, verification.problems
    assert httpx.get(url).content == image.read_bytes()
    assert httpx.get(tampered_signature(url)).status_code == 403
    assert inspector.delete(["character_references/st-1.png"]) == 1
    assert inspector.object_info("character_references/st-1.png") is None


def test_job_round_trip(settings: Settings, inspector: S3Inspector, tmp_path: Path) -> None:
    service = AssetPersistenceService(settings, faults=FaultSwitches(FAULTS, initial={}))
    settings.character_reference_dir.mkdir(parents=True)
    for name in ("ref-a", "ref-b"):
        (settings.character_reference_dir / f"{name}.png").write_bytes(render_png(name, 0, "1:1"))
    job_dir = tmp_path / "job"
    urls = asyncio.run(service.associate_character_images_with_job("unit-job", ["ref-a", "ref-b"], str(job_dir)))
    assert len(urls) == 2
    (job_dir / "video" / "scene.txt").parent.mkdir()
    (job_dir / "video" / "scene.txt").write_text("scene 1")
    result = asyncio.run(service.persist_job_assets("unit-job", str(job_dir)))
    assert len(result["character_references"]) == 2 and len(result["other_assets"]) == 1
    assert sorted(inspector.list_keys("jobs/unit-job/")) == [
        "jobs/unit-job/character_reference/ref-a.png",
        "jobs/unit-job/character_reference/ref-b.png",
        "jobs/unit-job/video/scene.txt",
    ]
    download = tmp_path / "download"
    asyncio.run(service.download_job_assets("unit-job", str(download)))
    for path in job_dir.rglob("*"):
        if path.is_file():
            assert (download / path.relative_to(job_dir)).read_bytes() == path.read_bytes()
    assert inspector.delete(inspector.list_keys("jobs/unit-job/")) == 3


def test_associate_unknown_image_names_it(settings: Settings, tmp_path: Path) -> None:
    service = AssetPersistenceService(settings, faults=FaultSwitches(FAULTS, initial={}))
    with pytest.raises(FileNotFoundError, match="Character reference image with ID nope not found"):
        asyncio.run(service.associate_character_images_with_job("j", ["nope"], str(tmp_path)))


def test_unreachable_storage_raises_instead_of_hanging(settings: Settings) -> None:
    service = AssetPersistenceService(settings, faults=FaultSwitches(FAULTS, initial={"storage_unreachable": True}))
    with pytest.raises(BotoCoreError):
        service.object_exists("character_references/x.png")


def test_the_content_type_probe_tells_seaweedfs_from_aws(inspector: S3Inspector) -> None:
    # SeaweedFS sniffs untyped uploads (measured: a PNG without ContentType is stored image/png).
    assert inspector.infers_content_type("character_references/wb-probe-test.png") is True
    assert not inspector.exists("character_references/wb-probe-test.png")
    # An AWS-like store keeps binary/octet-stream for untyped uploads.
    assert S3Inspector(FakeS3Client({}), "bucket").infers_content_type("p.png") is False
