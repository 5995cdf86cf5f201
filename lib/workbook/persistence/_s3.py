"""S3 inspector: what is really in the bucket (boto3, SigV4, path style for custom endpoints)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..connect import s3_client
from ._inspect import sha256_hex

# What AWS stores for an upload that sends no ContentType.
UNTYPED = "binary/octet-stream"
# A 1x1 PNG (its signature is what a sniffing store recognises).
PROBE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str
    content_type: str


def make_s3_client(*, endpoint_url: str, region: str, access_key: str, secret_key: str) -> Any:
    return s3_client(endpoint_url=endpoint_url, region=region, access_key=access_key, secret_key=secret_key)


class S3Inspector:
    """Read-only views of the bucket plus deletion of objects the notebook created."""

    def __init__(self, client: Any, bucket: str) -> None:
        if not bucket:
            raise ValueError("storage bucket is empty; set the storage_bucket parameter")
        self.client = client
        self.bucket = bucket

    def object_info(self, key: str) -> ObjectInfo | None:
        """Size, sha256 and content type of the object at `key`; None if there is none."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        body = response["Body"].read()
        return ObjectInfo(
            key=key, size=len(body), sha256=sha256_hex(body), content_type=response.get("ContentType", "")
        )

    def infers_content_type(self, key: str) -> bool:
        """Whether this store makes up a type for an upload that sends none: upload a PNG to `key`
        without ContentType and read it back. AWS stores binary/octet-stream; SeaweedFS sniffs the
        bytes and stores image/png. The probe object is deleted again."""
        self.client.put_object(Bucket=self.bucket, Key=key, Body=PROBE_PNG)
        try:
            stored = self.client.head_object(Bucket=self.bucket, Key=key).get("ContentType", "")
        finally:
            self.delete([key])
        return str(stored).split(";")[0] != UNTYPED

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    def delete(self, keys: list[str]) -> int:
        """Delete `keys` (in batches of 1000, the S3 limit); returns how many were deleted."""
        deleted = 0
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            response = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            deleted += len(batch) - len(response.get("Errors", []))
        return deleted
