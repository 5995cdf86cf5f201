"""The reference backend's S3 storage (services/storage_backend.py's S3StorageBackend, on boto3).

`upload_file` returns a presigned URL as the real one does. Presigned URLs are SigV4 by default
(boto3 emits SigV2 unless told otherwise, boto/boto3#2680, which is what the real backend hands out:
the `sigv2_presign` switch). The storage-side defects (`storage_unreachable`, wrong content types,
corrupted bytes, stale keys, cached URLs, slow presigning) are switched here.
"""

from __future__ import annotations

import atexit
import mimetypes
import socket
import time
from functools import cached_property
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .._faults import FaultSwitches
from ._settings import Settings

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
# The presign expiry a buggy backend hard-codes (boto3's own default).
HARDCODED_EXPIRY_S = 3600
NOT_FOUND_CODES = ("404", "NoSuchKey", "NotFound")

_dead_sockets: list[socket.socket] = []


def content_type_for(extension: str) -> str:
    extension = extension.lower().lstrip(".")
    return CONTENT_TYPES.get(extension) or mimetypes.guess_type(f"x.{extension}")[0] or "application/octet-stream"


def _dead_endpoint() -> str:
    """An http endpoint on 127.0.0.1 where nothing listens (connections are refused at once).

    The socket stays bound but never listens for the life of the process, so no other process can
    take the port and make "unreachable" storage reachable."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    _dead_sockets.append(sock)
    atexit.register(sock.close)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


class S3Storage:
    """Upload, presign, list and download objects of one bucket."""

    def __init__(self, settings: Settings, faults: FaultSwitches) -> None:
        if not settings.bucket:
            raise ValueError("STORAGE_BUCKET environment variable is required")
        self.settings = settings
        self.faults = faults
        # Filled only for the cached_presign defect: key -> the first URL handed out for it.
        self._url_cache: dict[str, str] = {}

    def _make_client(self, *, endpoint_url: str | None, secret_key: str, sigv4: bool = True, **config: Any) -> Any:
        options: dict[str, Any] = {
            "s3": {"addressing_style": "path"} if endpoint_url else {},
            "retries": {"max_attempts": 2, "mode": "standard"},
        }
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
        # While storage is unreachable, URLs name the unreachable endpoint (as a real outage would).
        if self.faults.on("storage_unreachable"):
            return self._dead_client
        if self.faults.on("sigv2_presign"):
            return self._sigv2_client
        if self.faults.on("bad_signature"):
            return self._stale_key_client
        return self._client

    @property
    def expiry_s(self) -> int:
        return HARDCODED_EXPIRY_S if self.faults.on("wrong_expiry") else self.settings.presigned_url_expiry_s

    def presign(self, key: str) -> str:
        """A presigned GET URL; local computation, no request to the store."""
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

    def upload_file(self, local_path: Path, key: str) -> str:
        """Upload a file; returns a presigned URL to it (as the real upload_file does)."""
        body = local_path.read_bytes()
        if self.faults.on("corrupt_cloud_bytes") and body:
            body = body[:-1] + bytes([body[-1] ^ 0xFF])
        if self.faults.on("wrong_object_content_type"):
            typed = {"ContentType": "binary/octet-stream"}
        elif self.faults.on("no_content_type"):
            typed = {}
        else:
            typed = {"ContentType": content_type_for(local_path.suffix)}
        self._io_client().put_object(Bucket=self.settings.bucket, Key=key, Body=body, **typed)
        return self.presign(key)

    def exists(self, key: str) -> bool:
        """HEAD the object; storage errors other than "not found" propagate."""
        try:
            self._io_client().head_object(Bucket=self.settings.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                return False
            raise
        return True

    def list_keys(self, prefix: str, *, recursive: bool = True) -> list[str]:
        """Keys under `prefix`; not recursive: the immediate children only, folders included (as s3fs `ls`)."""
        paginator = self._io_client().get_paginator("list_objects_v2")
        options = {} if recursive else {"Delimiter": "/"}
        keys: list[str] = []
        for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=prefix, **options):
            keys.extend(item["Key"] for item in page.get("Contents", []))
            keys.extend(item["Prefix"].rstrip("/") for item in page.get("CommonPrefixes", []))
        return keys

    def download(self, key: str, target: Path) -> bool:
        """Write the object at `key` to `target`; False (nothing written) when `key` is a folder."""
        try:
            body = self._io_client().get_object(Bucket=self.settings.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
                # A "folder" from a shallow listing: s3fs's get of a directory makes the directory only.
                target.mkdir(parents=True, exist_ok=True)
                return False
            raise
        if self.faults.on("download_corrupt") and body:
            body = body[:-1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        return True
