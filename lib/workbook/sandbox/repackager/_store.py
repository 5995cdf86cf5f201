"""The task record, as the real platform keeps it: one JSON string per task at `task:{id}` (TTL
24 h), and every update published whole on channel `task_updates:{id}` for the WebSocket relay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis

PENDING, DOWNLOADING, PROCESSING, COMPLETED, FAILED = "pending", "downloading", "processing", "completed", "failed"
STATUSES = (PENDING, DOWNLOADING, PROCESSING, COMPLETED, FAILED)


def key(task_id: str) -> str:
    return f"task:{task_id}"


def channel(task_id: str) -> str:
    return f"task_updates:{task_id}"


def now() -> str:
    """ISO time without a zone, as the platform writes it (datetime.utcnow().isoformat())."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


def new_record(task_id: str, url: str, platform: str, suffix: str) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "status": PENDING,
        "created_at": now(),
        "url": url,
        "platform": platform,
        "suffix": suffix,
        "progress": 0,
    }


def update_task_status(
    client: redis.Redis,
    task_id: str,
    status: str,
    progress: int,
    message: str,
    *,
    ttl_s: int,
    error: str | None = None,
    output_filename: str | None = None,
    original_filename: str | None = None,
) -> dict[str, Any]:
    """Read the record, update it, store it and publish it whole (the platform's update_task_status)."""
    raw = client.get(key(task_id))
    record: dict[str, Any] = json.loads(raw) if raw else {"task_id": task_id}
    record.update({"status": status, "progress": progress, "message": message, "updated_at": now()})
    if error is not None:
        record["error"] = error
    if output_filename is not None:
        record["output_filename"] = output_filename
    if original_filename is not None:
        record["original_filename"] = original_filename
    if status == COMPLETED:
        record["completed_at"] = now()
        if output_filename:
            record["download_url"] = f"/api/v1/tasks/{task_id}/download"
    body = json.dumps(record)
    client.setex(key(task_id), ttl_s, body)
    client.publish(channel(task_id), body)
    return record


def task_response(record: dict[str, Any]) -> dict[str, Any]:
    """GET /api/v1/tasks/{id}: the platform's TaskResponse (download_url only once completed)."""
    completed = record.get("status") == COMPLETED and record.get("output_filename")
    return {
        "task_id": record["task_id"],
        "status": record["status"],
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at"),
        "completed_at": record.get("completed_at"),
        "error": record.get("error"),
        "progress": record.get("progress", 0),
        "download_url": f"/api/v1/tasks/{record['task_id']}/download" if completed else None,
        "original_filename": record.get("original_filename"),
        "output_filename": record.get("output_filename"),
    }
