"""Archiving bundles to S3 and reading them back (for `history` across machines).

`archive_bundle` uploads every file of a bundle under `s3://bucket/prefix/<run id>/` with boto3
(multipart above `MULTIPART_THRESHOLD`, each upload carrying a SHA-256 checksum) and then checks
every object: the checksum the store reports (full-object, or S3's composite checksum of the part
checksums) must equal the one computed from the local file; a store that reports none is checked
by downloading the object and hashing it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import UsageError
from ._bundle import MANIFEST_FILE
from ._load import LoadedBundle, bundle_from_texts

MULTIPART_THRESHOLD = 8 * 1024 * 1024
PART_SIZE = 8 * 1024 * 1024


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # "" or "some/prefix" (no slashes at either end)

    def key(self, *parts: str) -> str:
        return "/".join(part.strip("/") for part in (self.prefix, *parts) if part.strip("/"))

    def url(self, *parts: str) -> str:
        return f"s3://{self.bucket}/{self.key(*parts)}"


def parse_s3_url(url: str) -> S3Location:
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise UsageError(f"{url!r} is not an S3 URL; expected s3://bucket/prefix")
    return S3Location(bucket=parsed.netloc, prefix=parsed.path.strip("/"))


@dataclass(frozen=True)
class ArchiveReport:
    destination: str
    uploaded: list[str] = field(default_factory=list)
    verified_by_checksum: list[str] = field(default_factory=list)
    verified_by_download: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatched and len(self.uploaded) == len(self.verified_by_checksum) + len(
            self.verified_by_download
        )


def archive_bundle(bundle: Path, destination: S3Location, client: Any) -> ArchiveReport:
    """Upload every file of `bundle` (manifest included) and verify each object after upload."""
    from boto3.s3.transfer import TransferConfig

    if not (bundle / MANIFEST_FILE).is_file():
        raise UsageError(f"{bundle}: no {MANIFEST_FILE}; expected an evidence bundle folder")
    config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=PART_SIZE)
    files = sorted(path for path in bundle.rglob("*") if path.is_file() and not path.is_symlink())
    uploaded: list[str] = []
    by_checksum: list[str] = []
    by_download: list[str] = []
    mismatched: list[str] = []
    for path in files:
        relative = path.relative_to(bundle).as_posix()
        key = destination.key(bundle.name, relative)
        client.upload_file(str(path), destination.bucket, key, Config=config, ExtraArgs={"ChecksumAlgorithm": "SHA256"})
        uploaded.append(relative)
        verdict = _verify_object(client, destination.bucket, key, path)
        {"checksum": by_checksum, "download": by_download}.get(verdict, mismatched).append(relative)
    return ArchiveReport(
        destination=destination.url(bundle.name),
        uploaded=uploaded,
        verified_by_checksum=by_checksum,
        verified_by_download=by_download,
        mismatched=mismatched,
    )


def load_archived_bundles(source: S3Location, client: Any) -> list[LoadedBundle]:
    """Every bundle archived under `source` (one folder per run id), oldest first."""
    bundles = []
    prefix = source.key() + "/" if source.prefix else ""
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=source.bucket, Prefix=prefix, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            run_prefix = common["Prefix"]
            try:
                manifest_text = _read_text(client, source.bucket, run_prefix + MANIFEST_FILE)
            except client.exceptions.NoSuchKey:
                continue
            bundle = bundle_from_texts(f"s3://{source.bucket}/{run_prefix}", manifest_text, {})
            results = {}
            for entry in bundle.manifest.notebooks:
                try:
                    results[entry.name] = _read_text(client, source.bucket, f"{run_prefix}{entry.name}/results.json")
                except client.exceptions.NoSuchKey:
                    continue
            bundles.append(bundle_from_texts(bundle.location, manifest_text, results))
    return sorted(bundles, key=lambda b: (b.manifest.started_at, b.manifest.run_id))


def _verify_object(client: Any, bucket: str, key: str, path: Path) -> str:
    head = client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    reported = head.get("ChecksumSHA256")
    if reported:
        return "checksum" if reported == _expected_checksum(path, reported) else "mismatch"
    digest = hashlib.sha256(client.get_object(Bucket=bucket, Key=key)["Body"].read()).digest()
    return "download" if digest == hashlib.sha256(path.read_bytes()).digest() else "mismatch"


def _expected_checksum(path: Path, reported: str) -> str:
    """The SHA-256 checksum S3 reports for `path`: full-object, or composite `b64(sha256(part digests))-N`."""
    if "-" not in reported:
        return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
    parts = []
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(PART_SIZE), b""):
            parts.append(hashlib.sha256(chunk).digest())
    return base64.b64encode(hashlib.sha256(b"".join(parts)).digest()).decode() + f"-{len(parts)}"


def _read_text(client: Any, bucket: str, key: str) -> str:
    return str(client.get_object(Bucket=bucket, Key=key)["Body"].read().decode())
