"""The Celery app settings shared by the API (sends tasks, asks workers) and the workers."""

from __future__ import annotations

from celery import Celery

from ._config import TasksConfig


def make_celery(config: TasksConfig, name: str = "pipeline") -> Celery:
    app = Celery(name, broker=config.authed_url, backend=config.authed_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # A task is acknowledged after it ran, and requeued if its worker process dies.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=config.queue,
        task_track_started=True,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2.0,
        broker_transport_options={"visibility_timeout": 3600, "socket_timeout": 5.0, "socket_connect_timeout": 2.0},
        redis_socket_timeout=5.0,
        redis_socket_connect_timeout=2.0,
        redis_retry_on_timeout=True,
        result_backend_always_retry=True,
        result_backend_max_retries=30,
        worker_send_task_events=False,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_channel_error_retry=True,
    )
    return app
