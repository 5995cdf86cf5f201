"""Section 2: Celery's remote control, always addressed to named workers with a reply limit.

An unaddressed broadcast cannot know how many workers will answer, so it waits out its whole
timeout; naming the workers and setting `limit` returns as soon as they have all answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from celery import Celery
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

T = TypeVar("T")
# A pooled broker connection goes stale when Redis restarts or the link is reset: drop and retry.
STALE = (RedisConnectionError, RedisTimeoutError, OperationalError, OSError)
ATTEMPTS = 3


class WorkerControl:
    def __init__(self, redis_url: str, password: str, names: list[str], *, timeout_s: float = 1.0) -> None:
        scheme, _, rest = redis_url.partition("://")
        self._authed = f"{scheme}://:{password}@{rest}" if password else redis_url
        self.app = self._new_app()
        self.names = list(names)
        self.timeout_s = timeout_s

    def _new_app(self) -> Celery:
        app = Celery("workbook-control", broker=self._authed, backend=self._authed, set_as_current=False)
        app.conf.update(
            broker_connection_timeout=2.0,
            broker_connection_retry_on_startup=False,
            broker_transport_options={"socket_timeout": 5.0, "socket_connect_timeout": 2.0},
        )
        return app

    def close(self) -> None:
        self.app.close()

    def _call(self, action: Callable[[Celery], T]) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return action(self.app)
            except STALE:
                # Its pooled connections are dead; a new app starts with fresh ones.
                self.app.close()
                self.app = self._new_app()
                if attempt == ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    def ping(self, names: list[str] | None = None) -> tuple[dict[str, Any], float]:
        """Replies keyed by worker, and the seconds the call took."""
        wanted = names or self.names
        started = time.perf_counter()
        replies = self._call(
            lambda app: app.control.ping(destination=wanted, timeout=self.timeout_s, limit=len(wanted))
        )
        merged = {name: reply for item in replies for name, reply in item.items()}
        return merged, time.perf_counter() - started

    def inspect(self, method: str, names: list[str] | None = None) -> dict[str, Any]:
        wanted = names or self.names
        return dict(
            self._call(
                lambda app: getattr(
                    app.control.inspect(destination=wanted, timeout=self.timeout_s, limit=len(wanted)), method
                )()
            )
            or {}
        )

    def consuming(self, queue: str) -> list[str]:
        replies = self.inspect("active_queues")
        return sorted(name for name, queues in replies.items() if any(q.get("name") == queue for q in queues))

    def cancel_consumer(self, queue: str, names: list[str]) -> list[dict[str, Any]]:
        return list(
            self._call(
                lambda app: app.control.cancel_consumer(queue, destination=names, reply=True, timeout=self.timeout_s)
            )
            or []
        )

    def add_consumer(self, queue: str, names: list[str]) -> list[dict[str, Any]]:
        return list(
            self._call(
                lambda app: app.control.add_consumer(queue, destination=names, reply=True, timeout=self.timeout_s)
            )
            or []
        )

    def pid_running(self, task_id: str) -> tuple[str, int] | None:
        """(worker, pid of the pool process) executing the task whose record id is `task_id`, from
        `inspect active` (the platform passes its record id as the first positional argument; the
        Celery id is another uuid)."""
        for worker, tasks in self.inspect("active").items():
            for task in tasks or []:
                args = task.get("args") or []
                if task_id in (task.get("id"), args[0] if args else None) and task.get("worker_pid"):
                    return worker, int(task["worker_pid"])
        return None
