"""Configuration of the reference backend, read from the environment variables the seed documents."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
# Standalone character references live under this prefix; job assets under jobs/<job_id>/.
STANDALONE_PREFIX = "character_references/"
JOB_PREFIX = "jobs/{job_id}/"
JOB_CHARACTER_DIR = "character_reference"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in TRUE_WORDS


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
    storage_backend: str = "local"
    bucket: str = ""
    region: str = "us-east-1"
    # AWS_ENDPOINT_URL_S3 is the SDK-standard variable: boto3 reads it too, so user services follow.
    endpoint_url: str | None = None
    access_key: str = ""
    secret_key: str = ""
    presigned_url_expiry_s: int = 3600
    character_reference_dir: Path = Path("mv/outputs/character_reference")

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            serve_from_cloud=_flag("SERVE_FROM_CLOUD", False),
            storage_backend=os.environ.get("STORAGE_BACKEND", "local"),
            bucket=os.environ.get("STORAGE_BUCKET", ""),
            region=os.environ.get("AWS_REGION", "us-east-1"),
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None,
            access_key=os.environ.get("AWS_ACCESS_KEY_ID", ""),
            secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            presigned_url_expiry_s=_int("PRESIGNED_URL_EXPIRY", 3600),
            character_reference_dir=Path(os.environ.get("CHARACTER_REFERENCE_DIR", "mv/outputs/character_reference")),
        )

    @property
    def cloud_enabled(self) -> bool:
        return self.serve_from_cloud and self.storage_backend == "s3"

    def debug_view(self) -> dict[str, object]:
        """What GET /api/mv/config/debug shows: everything but the credentials themselves."""
        return {
            "serve_from_cloud": self.serve_from_cloud,
            "storage_backend": self.storage_backend,
            "storage_bucket": self.bucket,
            "aws_region": self.region,
            "endpoint_url": self.endpoint_url,
            "presigned_url_expiry": self.presigned_url_expiry_s,
            "character_reference_dir": str(self.character_reference_dir),
            "credentials_configured": bool(self.access_key and self.secret_key),
        }
