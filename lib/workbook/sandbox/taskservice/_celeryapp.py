"""The Celery app both processes load, configured as the real one (app/config/settings.py
CELERY_CONFIG, app/celery_app.py): JSON only, acks late, reject on worker lost, prefetch 1,
concurrency 2, 24 h results (gzip), no STARTED state (task_track_started is not set), and the
task names and queues of app/tasks/*.py."""

from __future__ import annotations

from celery import Celery

from ._config import ServiceConfig

# task type (the API's enum value) -> (Celery task name, queue), as app/api/tasks.py routes them.
ROUTED: dict[str, tuple[str, str]] = {
    "generate_video": ("app.tasks.video_tasks.process_video_generation", "gpu_heavy"),
    "generate_image": ("app.tasks.image_tasks.process_image_generation", "gpu_medium"),
    "process_audio": ("app.tasks.audio_tasks.process_audio_generation", "cpu_intensive"),
    "evaluate_department": ("app.tasks.evaluation_tasks.evaluate_department", "cpu_intensive"),
}
TASK_TIMEOUT_S = 3600


def make_celery(config: ServiceConfig) -> Celery:
    app = Celery("ai_movie_tasks")
    app.conf.update(
        broker_url=config.authed(config.redis_url),
        result_backend=config.authed(config.result_url),
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        timezone="UTC",
        enable_utc=True,
        worker_prefetch_multiplier=1,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_time_limit=TASK_TIMEOUT_S,
        task_soft_time_limit=TASK_TIMEOUT_S - 300,
        result_expires=86400,
        result_compression="gzip",
        task_routes={
            "app.tasks.video_tasks.*": {"queue": "gpu_heavy"},
            "app.tasks.image_tasks.*": {"queue": "gpu_medium"},
            "app.tasks.audio_tasks.*": {"queue": "cpu_intensive"},
            "automated_gather_creation": {"queue": "cpu_intensive"},
        },
        worker_concurrency=2,
        worker_max_tasks_per_child=10,
        worker_max_memory_per_child=2048000,
        worker_send_task_events=True,
        task_send_sent_event=True,
        # Sandbox only: no start-up warning, and the workbook's logging stays its own.
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app
