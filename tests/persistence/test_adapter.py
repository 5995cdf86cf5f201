"""Importing a user's service by module:Class, the seed's env, and sync calls of async methods."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbook import run_sync
from workbook.persistence._adapter import load_service, seed_env
from workbook.persistence._errors import ServiceImportError

GOOD_SERVICE = """
import os

class AssetPersistenceService:
    def __init__(self):
        self.bucket = os.environ["STORAGE_BUCKET"]

    async def persist_character_reference(self, image_id, local_image_path, job_id=None):
        return f"{self.bucket}/{image_id}"

    async def associate_character_images_with_job(self, job_id, image_ids, local_base_path):
        return []

    async def get_character_reference_url(self, image_id, extension="png"):
        return f"{image_id}.{extension}"

    async def persist_job_assets(self, job_id, local_base_path):
        return {"character_references": []}

    async def download_job_assets(self, job_id, local_base_path):
        return []

class Partial:
    async def persist_character_reference(self, image_id, local_image_path, job_id=None):
        return ""

class Broken:
    def __init__(self):
        raise RuntimeError("no credentials")
"""


@pytest.fixture
def backend_dir(tmp_path: Path) -> Iterator[Path]:
    package = tmp_path / "backend" / "wbtest_services"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "asset_persistence.py").write_text(GOOD_SERVICE)
    yield package.parent
    for name in [name for name in sys.modules if name.startswith("wbtest_services")]:
        del sys.modules[name]
    sys.path[:] = [entry for entry in sys.path if entry != str(package.parent)]


def test_loads_a_service_from_a_path_with_its_env(backend_dir: Path) -> None:
    service = load_service(
        "wbtest_services.asset_persistence:AssetPersistenceService", str(backend_dir), {"STORAGE_BUCKET": "b1"}
    )
    assert service.bucket == "b1"
    assert "STORAGE_BUCKET" not in os.environ or os.environ["STORAGE_BUCKET"] != "b1"
    assert run_sync(service.persist_character_reference("img", "/x.png")) == "b1/img"


@pytest.mark.parametrize(
    ("import_path", "message"),
    [
        ("no_colon_here", "must look like 'module.path:ClassName'"),
        ("wbtest_services.missing:X", "cannot import module"),
        ("wbtest_services.asset_persistence:Nope", "has no attribute 'Nope'"),
        ("wbtest_services.asset_persistence:Partial", "lacks the seed's method"),
        ("wbtest_services.asset_persistence:Broken", "RuntimeError: no credentials"),
    ],
)
def test_bad_services_give_one_clear_error(backend_dir: Path, import_path: str, message: str) -> None:
    with pytest.raises(ServiceImportError, match=message):
        load_service(import_path, str(backend_dir))


def test_sys_path_entry_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ServiceImportError, match="is not a directory"):
        load_service("a:B", str(tmp_path / "missing"))


def test_seed_env_names_the_guides_variables() -> None:
    env = seed_env(bucket="b", region="r", endpoint_url="http://e", access_key="a", secret_key="s", expiry_s=5)
    assert env["STORAGE_BACKEND"] == "s3" and env["SERVE_FROM_CLOUD"] == "true"
    assert env["PRESIGNED_URL_EXPIRY"] == "5" and env["AWS_ENDPOINT_URL_S3"] == "http://e"
    assert "AWS_ENDPOINT_URL_S3" not in seed_env(
        bucket="b", region="r", endpoint_url="", access_key="a", secret_key="s", expiry_s=5
    )
