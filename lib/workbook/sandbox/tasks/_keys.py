"""Redis key names of one task (shared by the workers that write and the API that reads)."""

from __future__ import annotations

PREFIX = "pipeline:task:"
EVENT_TTL_S = 24 * 3600
TERMINAL_STATES = ("SUCCESS", "FAILURE")


def channel(task_id: str) -> str:
    return f"{PREFIX}{task_id}"


def meta(task_id: str) -> str:
    return f"{PREFIX}{task_id}:meta"


def events(task_id: str) -> str:
    return f"{PREFIX}{task_id}:events"


def seq(task_id: str) -> str:
    return f"{PREFIX}{task_id}:seq"


def ids(task_id: str) -> str:
    return f"{PREFIX}{task_id}:ids"


def emitted(task_id: str) -> str:
    return f"{PREFIX}{task_id}:emitted"


def attempts(task_id: str) -> str:
    return f"{PREFIX}{task_id}:attempts"


def celery_meta(task_id: str) -> str:
    """Where Celery's Redis result backend stores the task's state."""
    return f"celery-task-meta-{task_id}"
