"""Storing a finished job: grid and upscale images plus one metadata JSON, secrets scrubbed."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from ..credentials import redact, seen_secrets
from ._jobstate import JobState
from ._parse import reference_id_of, snowflake_time


@dataclass(frozen=True)
class StoredImage:
    path: Path
    sha256: str
    width: int
    height: int
    format: str
    declared_width: int | None
    declared_height: int | None
    url: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path.name,
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "declared_width": self.declared_width,
            "declared_height": self.declared_height,
            "url": self.url,
        }


@dataclass(frozen=True)
class StoredJob:
    """What a job left in the evidence folder: its images (None when it failed) and metadata file."""

    grid: StoredImage | None = None
    upscale: StoredImage | None = None
    metadata_file: str | None = None


def first_attachment(message: dict[str, Any]) -> dict[str, Any]:
    attachments = message.get("attachments") or []
    if not attachments:
        raise ValueError(f"message {message.get('id')} has no attachment")
    return dict(attachments[0])


def save_image(data: bytes, folder: Path, stem: str, attachment: dict[str, Any]) -> StoredImage:
    """Decode fully (a truncated file fails here), then write it under its real format's suffix."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        width, height, fmt = image.width, image.height, (image.format or "bin").lower()
    suffix = {"jpeg": "jpg"}.get(fmt, fmt)
    path = folder / f"{stem}.{suffix}"
    path.write_bytes(data)
    return StoredImage(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        format=fmt,
        declared_width=attachment.get("width"),
        declared_height=attachment.get("height"),
        url=str(attachment.get("url") or ""),
    )


def _iso(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat() if seconds is not None else None


def job_metadata(job: JobState, grid: StoredImage | None, upscale: StoredImage | None) -> dict[str, Any]:
    return {
        "key": job.key,
        "status": job.phase.value,
        "failure_kind": job.failure_kind,
        "failure": job.failure,
        "prompt_sent": job.prompt,
        "prompt_echoed": job.prompt_echoed,
        "nonce": job.nonce,
        "interaction_id": job.interaction_id,
        "interaction_source": job.interaction_source,
        "start_match": job.start_match,
        "job_hash": job.job_hash,
        "preview_hash": job.preview_hash,
        "mode": job.mode,
        "progress_message_id": job.progress_message_id,
        "queued_message_id": job.queued_message_id,
        "grid_message_id": job.grid_message_id,
        "grid_match": job.grid_match,
        "upscale_index": job.upscale_index,
        "upscale_nonce": job.upscale_nonce,
        "upscale_presses": job.upscale_presses,
        "upscale_ack_id": job.upscale_ack_id,
        "upscale_message_id": job.upscale_message_id,
        "upscale_reply_reference": reference_id_of(job.upscale) if job.upscale else None,
        "upscale_match": job.upscale_match,
        "ambiguous_matches": list(job.ambiguous),
        "notices": list(job.notices),
        "timestamps": {
            "submitted_at": _iso(job.submitted_at),
            "started_at": _iso(job.started_at),
            "grid_received_at": _iso(job.grid_received_at),
            "grid_created_at": snowflake_time(job.grid_message_id).isoformat() if job.grid_message_id else None,
            "upscale_submitted_at": _iso(job.upscale_submitted_at),
            "upscale_received_at": _iso(job.upscale_received_at),
            "upscale_created_at": (
                snowflake_time(job.upscale_message_id).isoformat() if job.upscale_message_id else None
            ),
        },
        "grid": grid.as_dict() if grid else None,
        "upscale": upscale.as_dict() if upscale else None,
    }


def write_metadata(folder: Path, job: JobState, metadata: dict[str, Any], extra_secrets: set[str]) -> Path:
    path = folder / f"{job.key}.json"
    text = json.dumps(metadata, indent=2, ensure_ascii=False, default=str)
    path.write_text(redact(text, seen_secrets() | extra_secrets), encoding="utf-8")
    return path


def record_job(
    folder: Path,
    job: JobState,
    grid: StoredImage | None = None,
    upscale: StoredImage | None = None,
    *,
    extra_secrets: set[str],
) -> StoredJob:
    """Write the job's metadata JSON (secrets scrubbed) next to its images."""
    path = write_metadata(folder, job, job_metadata(job, grid, upscale), extra_secrets)
    return StoredJob(grid, upscale, path.name)
