"""Configuration of the reference backend, read from the environment variables seed 001's backend reads
(`very-bad-apples/mvp-1` backend/config.py: SERVE_FROM_CLOUD, STORAGE_BACKEND, STORAGE_BUCKET, AWS_*,
PRESIGNED_URL_EXPIRY; auth.py: API_KEY) plus the SDK's AWS_ENDPOINT_URL_S3 and, because the real
backend keeps images next to its code (mv/outputs/character_reference), CHARACTER_REFERENCE_DIR.

The real backend reads its settings once, at import; this stand-in reads them when an app or a
service is built (kinder: a service constructed after its environment changed sees the change).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Object keys as the real backend writes them (routers/mv.py:356, services/asset_persistence.py:494-496).
STANDALONE_PREFIX = "character_references/"
JOB_PREFIX = "videos/{job_id}/"
JOB_CHARACTER_DIR = "intermediate/character_reference"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} is not an integer") from None


@dataclass(frozen=True)
class Settings:
    serve_from_cloud: bool = False
    storage_backend: str = "s3"
    bucket: str = ""
    region: str = "us-east-1"
    # AWS_ENDPOINT_URL_S3 is the SDK-standard variable: boto3 and aiobotocore read it too.
    endpoint_url: str | None = None
    access_key: str = ""
    secret_key: str = ""
    presigned_url_expiry_s: int = 3600
    character_reference_dir: Path = Path("mv/outputs/character_reference")
    # Comma-separated keys; empty = any key is accepted (but a key must still be sent, auth.py:38-40).
    api_key: str = ""

    @classmethod
    def from_env(cls, *, serve_from_cloud: bool | None = None) -> Settings:
        # The real backend compares with "true" only (config.py:70).
        env_cloud = os.environ.get("SERVE_FROM_CLOUD", "false").lower() == "true"
        return cls(
            serve_from_cloud=env_cloud if serve_from_cloud is None else serve_from_cloud,
            storage_backend=os.environ.get("STORAGE_BACKEND", "s3"),
            bucket=os.environ.get("STORAGE_BUCKET", ""),
            region=os.environ.get("AWS_REGION", "us-east-1"),
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None,
            access_key=os.environ.get("AWS_ACCESS_KEY_ID", ""),
            secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            presigned_url_expiry_s=_int("PRESIGNED_URL_EXPIRY", 3600),
            character_reference_dir=Path(os.environ.get("CHARACTER_REFERENCE_DIR", "mv/outputs/character_reference")),
            api_key=os.environ.get("API_KEY", ""),
        )

    @property
    def cloud_enabled(self) -> bool:
        """The real GET serves from cloud when SERVE_FROM_CLOUD and a bucket are set (routers/mv.py:492)."""
        return self.serve_from_cloud and bool(self.bucket)

    def debug_view(self) -> dict[str, object]:
        """GET /api/mv/config/debug, with the real backend's upper-case keys (routers/mv.py:54-60)."""
        return {
            "SERVE_FROM_CLOUD": self.serve_from_cloud,
            "STORAGE_BACKEND": self.storage_backend,
            "STORAGE_BUCKET": self.bucket,
            "PRESIGNED_URL_EXPIRY": self.presigned_url_expiry_s,
            "cloud_serving_enabled": self.cloud_enabled,
        }

    def key_accepted(self, key: str) -> bool:
        """auth.check_api_key: no configured key accepts any key; else one of the comma-separated keys."""
        if not self.api_key:
            return True
        return key in [part.strip() for part in self.api_key.split(",")]


def standalone_key(image_id: str, extension: str) -> str:
    return f"{STANDALONE_PREFIX}{image_id}.{extension.lstrip('.')}"


def job_key(job_id: str, relative: str) -> str:
    return f"{JOB_PREFIX.format(job_id=job_id)}{relative}"
