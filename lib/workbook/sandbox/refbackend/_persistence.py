"""AssetPersistenceService: the seed's Python API for character-reference persistence on S3.

This is the sandbox's "user service": the notebook imports it by `module:Class` exactly as it would
import a platform team's own service. boto3 is created with SigV4 forced because boto3 still emits
SigV2 presigned URLs by default (boto/boto3#2680).
"""

from __future__ import annotations

import asyncio
import atexit
import mimetypes
import shutil
import socket
import time
from functools import cached_property
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .._faults import FaultSwitches
from ._faults import new_switches
from ._settings import JOB_CHARACTER_DIR, JOB_PREFIX, STANDALONE_PREFIX, Settings

CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
}
# The presign expiry a buggy backend hard-codes (boto3's own default).
HARDCODED_EXPIRY_S = 3600


class CharacterReferenceNotFoundError(FileNotFoundError):
    """No local image exists for an image id."""

    def __init__(self, image_id: str, directory: Path) -> None:
        self.image_id = image_id
        super().__init__(f"Character reference image with ID {image_id} not found in {directory}")


def content_type_for(extension: str) -> str:
    extension = extension.lower().lstrip(".")
    return CONTENT_TYPES.get(extension) or mimetypes.guess_type(f"x.{extension}")[0] or "application/octet-stream"


_dead_sockets: list[socket.socket] = []


def _dead_endpoint() -> str:
    """An http endpoint on 127.0.0.1 where nothing listens (connections are refused at once).

    The socket stays bound but never listens for the life of the process: connections to it are
    refused, and no other process can take the port and make "unreachable" storage reachable."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    _dead_sockets.append(sock)
    atexit.register(sock.close)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


class AssetPersistenceService:
    """Upload, presign and download character references and job assets."""

    def __init__(self, settings: Settings | None = None, *, faults: FaultSwitches | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.faults = faults if faults is not None else new_switches()
        if not self.settings.bucket:
            raise ValueError("STORAGE_BUCKET is not set; the persistence service needs a bucket")
        # Filled only for the cached_presign defect: key -> the first URL handed out for it.
        self._url_cache: dict[str, str] = {}

    # --- clients -----------------------------------------------------------------------------

    def _make_client(self, *, endpoint_url: str | None, secret_key: str, sigv4: bool = True, **config: Any) -> Any:
        s3_options = {"addressing_style": "path"} if endpoint_url else {}
        options: dict[str, Any] = {"s3": s3_options, "retries": {"max_attempts": 2, "mode": "standard"}}
        options.update(config)
        if sigv4:
            options["signature_version"] = "s3v4"
        return boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=self.settings.region,
            aws_access_key_id=self.settings.access_key or None,
            aws_secret_access_key=secret_key or None,
            config=Config(**options),
        )

    @cached_property
    def _client(self) -> Any:
        return self._make_client(endpoint_url=self.settings.endpoint_url, secret_key=self.settings.secret_key)

    @cached_property
    def _sigv2_client(self) -> Any:
        return self._make_client(
            endpoint_url=self.settings.endpoint_url, secret_key=self.settings.secret_key, sigv4=False
        )

    @cached_property
    def _stale_key_client(self) -> Any:
        return self._make_client(
            endpoint_url=self.settings.endpoint_url, secret_key=self.settings.secret_key[::-1] + "stale"
        )

    @cached_property
    def _dead_client(self) -> Any:
        return self._make_client(
            endpoint_url=_dead_endpoint(),
            secret_key=self.settings.secret_key,
            connect_timeout=1,
            retries={"total_max_attempts": 1},
        )

    def _io_client(self) -> Any:
        return self._dead_client if self.faults.on("storage_unreachable") else self._client

    def _presign_client(self) -> Any:
        if self.faults.on("sigv2_presign"):
            return self._sigv2_client
        if self.faults.on("bad_signature"):
            return self._stale_key_client
        return self._client

    # --- keys and URLs -----------------------------------------------------------------------

    def cloud_path(self, image_id: str, extension: str = "png", job_id: str | None = None) -> str:
        """The object key of a character reference, standalone or under a job."""
        extension = "png" if self.faults.on("extension_ignored") else extension.lower().lstrip(".")
        name = "character" if self.faults.on("shared_cloud_key") else image_id
        if job_id is None or self.faults.on("job_wrong_prefix"):
            return f"{STANDALONE_PREFIX}{name}.{extension}"
        return f"{JOB_PREFIX.format(job_id=job_id)}{JOB_CHARACTER_DIR}/{name}.{extension}"

    def reported_cloud_path(self, image_id: str, extension: str = "png") -> str:
        """The cloud_path the API reports (a defect can make it differ from the real key)."""
        if self.faults.on("wrong_cloud_path"):
            return f"character_reference/{image_id}.{extension}"
        return self.cloud_path(image_id, extension)

    @property
    def expiry_s(self) -> int:
        return HARDCODED_EXPIRY_S if self.faults.on("wrong_expiry") else self.settings.presigned_url_expiry_s

    def presign(self, key: str) -> str:
        if self.faults.on("slow_presign"):
            value = self.faults.value("slow_presign")
            time.sleep((50 if value is True else float(value)) / 1000)
        if self.faults.on("cached_presign") and key in self._url_cache:
            return self._url_cache[key]
        url: str = self._presign_client().generate_presigned_url(
            "get_object", Params={"Bucket": self.settings.bucket, "Key": key}, ExpiresIn=self.expiry_s
        )
        self._url_cache[key] = url
        return url

    # --- blocking operations (the async API runs them in a thread) ---------------------------

    def upload_file(self, key: str, local_path: Path) -> None:
        body = local_path.read_bytes()
        if self.faults.on("corrupt_cloud_bytes") and body:
            body = body[:-1] + bytes([body[-1] ^ 0xFF])
        content_type = (
            "binary/octet-stream"
            if self.faults.on("wrong_object_content_type")
            else content_type_for(local_path.suffix)
        )
        typed = {} if self.faults.on("no_content_type") else {"ContentType": content_type}
        self._io_client().put_object(Bucket=self.settings.bucket, Key=key, Body=body, **typed)

    def object_exists(self, key: str) -> bool:
        try:
            self._io_client().head_object(Bucket=self.settings.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def ensure_uploaded(self, image_id: str, local_path: Path) -> str:
        """Upload a local image unless its object exists; returns the key."""
        key = self.cloud_path(image_id, local_path.suffix)
        if not self.object_exists(key):
            self.upload_file(key, local_path)
        return key

    def find_local_image(self, image_id: str) -> Path:
        directory = self.settings.character_reference_dir
        matches = sorted(directory.glob(f"{image_id}.*")) if _safe_id(image_id) else []
        if not matches:
            raise CharacterReferenceNotFoundError(image_id, directory)
        return matches[0]

    def _persist_reference(self, image_id: str, local_image_path: str, job_id: str | None) -> str:
        path = Path(local_image_path)
        if not path.is_file():
            raise FileNotFoundError(f"local_image_path {local_image_path!r} is not a file")
        key = self.cloud_path(image_id, path.suffix, job_id)
        self.upload_file(key, path)
        return self.presign(key)

    def _associate(self, job_id: str, image_ids: list[str], local_base_path: str) -> list[str]:
        target_dir = Path(local_base_path) / JOB_CHARACTER_DIR
        target_dir.mkdir(parents=True, exist_ok=True)
        urls = []
        for image_id in image_ids:
            source = self.find_local_image(image_id)
            copy = target_dir / source.name
            shutil.copyfile(source, copy)
            urls.append(self._persist_reference(image_id, str(copy), job_id))
        return urls

    def _persist_job(self, job_id: str, local_base_path: str) -> dict[str, Any]:
        base = Path(local_base_path)
        if not base.is_dir():
            raise FileNotFoundError(f"local_base_path {local_base_path!r} is not a directory")
        prefix = JOB_PREFIX.format(job_id=job_id)
        uploaded: list[str] = []
        character_references: list[str] = []
        other_assets: list[str] = []
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            relative = path.relative_to(base).as_posix()
            is_reference = relative.startswith(f"{JOB_CHARACTER_DIR}/")
            if is_reference and self.faults.on("job_missing_character_refs"):
                continue
            key = self.cloud_path(path.stem, path.suffix, job_id) if is_reference else f"{prefix}{relative}"
            self.upload_file(key, path)
            uploaded.append(key)
            (character_references if is_reference else other_assets).append(self.presign(key))
        return {
            "job_id": job_id,
            "uploaded_keys": uploaded,
            "character_references": character_references,
            "other_assets": other_assets,
        }

    def _download_job(self, job_id: str, local_base_path: str) -> list[str]:
        prefix = JOB_PREFIX.format(job_id=job_id)
        base = Path(local_base_path)
        written: list[str] = []
        paginator = self._io_client().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                relative = item["Key"][len(prefix) :]
                target = (base / relative).resolve()
                if not target.is_relative_to(base.resolve()):
                    raise ValueError(f"object key {item['Key']!r} escapes the download directory")
                target.parent.mkdir(parents=True, exist_ok=True)
                body = self._io_client().get_object(Bucket=self.settings.bucket, Key=item["Key"])["Body"].read()
                if self.faults.on("download_corrupt") and body:
                    body = body[:-1]
                target.write_bytes(body)
                written.append(str(target))
        return written

    # --- the seed's async API ----------------------------------------------------------------

    async def persist_character_reference(self, image_id: str, local_image_path: str, job_id: str | None = None) -> str:
        """Upload one image (standalone or under a job); returns a presigned URL to it."""
        return await asyncio.to_thread(self._persist_reference, image_id, local_image_path, job_id)

    async def associate_character_images_with_job(
        self, job_id: str, image_ids: list[str], local_base_path: str
    ) -> list[str]:
        """Copy generated images into the job folder and upload them under the job; returns URLs."""
        return await asyncio.to_thread(self._associate, job_id, list(image_ids), local_base_path)

    async def get_character_reference_url(self, image_id: str, extension: str = "png") -> str:
        """A presigned GET URL for a standalone character reference (no network round trip)."""
        return await asyncio.to_thread(self.presign, self.cloud_path(image_id, extension))

    async def persist_job_assets(self, job_id: str, local_base_path: str) -> dict[str, Any]:
        """Upload every file of a job folder; `character_references` lists the references' URLs."""
        return await asyncio.to_thread(self._persist_job, job_id, local_base_path)

    async def download_job_assets(self, job_id: str, local_base_path: str) -> list[str]:
        """Download every object of a job into `local_base_path`, keeping relative paths."""
        return await asyncio.to_thread(self._download_job, job_id, local_base_path)


def _safe_id(image_id: str) -> bool:
    """Ids are UUID-like; anything else (path separators, dots) never names a local file."""
    return bool(image_id) and all(ch.isalnum() or ch in "-_" for ch in image_id)
