"""Task-service dialects, one module per platform (`celery_redis`: jomapps/celery-redis)."""

from __future__ import annotations

from .._taskservice import TaskService
from .celery_redis import CeleryRedis, CeleryRedisOptions

DIALECTS: dict[str, type[TaskService]] = {CeleryRedis.name: CeleryRedis}

__all__ = ["DIALECTS", "CeleryRedis", "CeleryRedisOptions", "TaskService"]
