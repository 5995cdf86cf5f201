"""Task storage in Redis, laid out as the real service's (app/storage/task_storage.py): a hash
`task:{id}` per task (JSON strings in `task_data`, `metadata`, `result`), a set
`project_tasks:{project}` of task ids, a hash `task_metrics` of counters; 24 h expiry."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import redis

from ._config import ServiceConfig

TASK_PREFIX = "task:"
PROJECT_PREFIX = "project_tasks:"
METRICS_KEY = "task_metrics"
TTL_S = 86400


def now_iso() -> str:
    return datetime.utcnow().isoformat()  # naive UTC, as the real service writes it


class TaskStorage:
    def __init__(self, config: ServiceConfig) -> None:
        self.client = redis.Redis.from_url(
            config.redis_url,
            password=config.password or None,
            decode_responses=True,
            socket_timeout=5,
            socket_connect_timeout=5,
        )

    def save_task(self, task: dict[str, Any]) -> None:
        """`task`: task_id, project_id, task_type, status, priority, task_data, callback_url, metadata,
        created_at (iso), estimated_duration, queue_position."""
        key = f"{TASK_PREFIX}{task['task_id']}"
        project_key = f"{PROJECT_PREFIX}{task['project_id']}"
        self.client.hset(
            key,
            mapping={
                "task_id": str(task["task_id"]),
                "project_id": task["project_id"],
                "task_type": task["task_type"],
                "status": task["status"],
                "priority": int(task["priority"]),
                "task_data": json.dumps(task["task_data"]) if task["task_data"] else "{}",
                "callback_url": task.get("callback_url") or "",
                "metadata": json.dumps(task["metadata"]) if task.get("metadata") else "{}",
                "created_at": task["created_at"],
                "updated_at": now_iso(),
                "estimated_duration": task["estimated_duration"],
                "queue_position": task["queue_position"],
                "result": "",
                "error": "",
            },
        )
        self.client.sadd(project_key, str(task["task_id"]))
        self.client.expire(key, TTL_S)
        self.client.expire(project_key, TTL_S)

    def get_task(self, task_id: str) -> dict[str, Any] | None:
        data: dict[str, Any] = self.client.hgetall(f"{TASK_PREFIX}{task_id}")  # type: ignore[assignment]
        if not data:
            return None
        for field in ("task_data", "metadata", "result"):
            if data.get(field):
                data[field] = json.loads(data[field])
        return data

    def update_task_status(
        self, task_id: str, status: str, result: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        updates: dict[str, str] = {"status": status, "updated_at": now_iso()}
        if result:
            updates["result"] = json.dumps(result)
        if error:
            updates["error"] = error
        self.client.hset(f"{TASK_PREFIX}{task_id}", mapping=updates)  # type: ignore[arg-type]  # str keys are fine

    def project_task_ids(self, project_id: str | None) -> set[str]:
        """The ids in the project's set; `None`: every project's (what a missing filter reads)."""
        if project_id is not None:
            return set(self.client.smembers(f"{PROJECT_PREFIX}{project_id}"))  # type: ignore[arg-type]
        ids: set[str] = set()
        for key in self.client.scan_iter(match=f"{PROJECT_PREFIX}*", count=500):
            ids |= set(self.client.smembers(key))  # type: ignore[arg-type]
        return ids

    def project_tasks(self, project_id: str | None, status: str | None, task_type: str | None) -> list[dict[str, Any]]:
        """Filtered, newest first (the caller pages)."""
        tasks = []
        for task_id in self.project_task_ids(project_id):
            data = self.get_task(task_id)
            if not data:
                continue
            if status and data.get("status") != status:
                continue
            if task_type and data.get("task_type") != task_type:
                continue
            tasks.append(data)
        tasks.sort(key=lambda item: item.get("created_at", ""), reverse=True)
        return tasks

    def increment_metric(self, name: str, value: int = 1) -> None:
        self.client.hincrby(METRICS_KEY, name, value)

    def metrics(self) -> dict[str, int]:
        raw: dict[str, str] = self.client.hgetall(METRICS_KEY)  # type: ignore[assignment]
        return {key: int(value) for key, value in raw.items()}
