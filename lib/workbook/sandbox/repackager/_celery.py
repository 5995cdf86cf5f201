"""The Celery app the API (sends tasks) and the workers share: `dify_repackaging` on Redis, JSON,
task_track_started, the default queue `celery`, as the platform configures it (workers/celery_app.py).
What the real one lacks (acks_late, reject_on_worker_lost) is set per task in `_worker.py`, where
switch `ack_early` takes it away again."""

from __future__ import annotations

from celery import Celery

from ._config import QUEUE, Settings


def make_celery(settings: Settings, name: str = "dify_repackaging") -> Celery:
    app = Celery(name, broker=settings.redis_url, backend=settings.redis_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        timezone="UTC",
        enable_utc=True,
        task_track_started=True,
        task_time_limit=30 * 60,
        task_soft_time_limit=25 * 60,
        task_default_queue=QUEUE,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2.0,
        broker_transport_options={"socket_timeout": 5.0, "socket_connect_timeout": 2.0},
        redis_socket_timeout=5.0,
        redis_socket_connect_timeout=2.0,
        redis_retry_on_timeout=True,
        result_backend_always_retry=True,
        result_backend_max_retries=30,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app
