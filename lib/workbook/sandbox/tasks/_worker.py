"""The worker side: the Celery app `celery -A workbook.sandbox.tasks._worker:app worker` loads,
with one task per registered job type."""

from __future__ import annotations

import glob
import shutil
from typing import Any

import redis
from celery import Task
from pydantic import ValidationError
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from . import _keys as keys
from ._celeryapp import make_celery
from ._config import TasksConfig
from ._events import EventPublisher
from ._fetch import PermanentFetchError
from ._jobs import JobContext, JobFailed, JobType, load_jobs
from ._switches import FileSwitches

config = TasksConfig.from_env()
app = make_celery(config)
switches = FileSwitches(config.switches_file)
# Event writes ride out a Redis restart or a reset link (~30 s of retries); the scripts are idempotent.
events_client = redis.Redis.from_url(
    config.redis_url,
    password=config.password,
    socket_timeout=3.0,
    socket_connect_timeout=2.0,
    retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 40),
    retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],
)


class PipelineTask(Task):
    reject_on_worker_lost = True

    @property
    def acks_late(self) -> bool:  # read by the worker for every message it receives
        return not switches.on("ack_early")


def execute(task: Task, job: JobType, params: dict[str, Any]) -> dict[str, Any]:
    task_id = str(task.request.id)
    attempt = int(events_client.incr(keys.attempts(task_id)))
    events_client.expire(keys.attempts(task_id), keys.EVENT_TTL_S)
    worker = str(task.request.hostname or "")
    correlation_id = str(getattr(task.request, "x_request_id", None) or task_id)
    events = EventPublisher(events_client, task_id, attempt=attempt, worker=worker, switches=switches)
    # An earlier attempt killed mid-run could not clean up after itself: this one does.
    for stale in glob.glob(str(config.temp_dir / f"{task_id}-*")):
        shutil.rmtree(stale, ignore_errors=True)
    temp = config.temp_dir / f"{task_id}-{attempt}"
    temp.mkdir(parents=True, exist_ok=True)
    ctx = JobContext(task_id, attempt, worker, correlation_id, config, events, switches, temp)
    events.state("STARTED", 0, f"attempt {attempt} on {worker}")
    try:
        result = job.run(ctx, job.params.model_validate(params))
        body = result.to_json(task_id)
        events.flush()
        events.state("SUCCESS", 100, "done", result=body)
        return body
    except (JobFailed, PermanentFetchError, ValidationError) as error:
        message = f"{type(error).__name__}: {error}"
        events.flush()
        events.state("FAILURE", 100, message, error=message)
        raise JobFailed(message) from None
    finally:
        if not switches.on("leave_temp_files"):
            shutil.rmtree(temp, ignore_errors=True)


def _register(job: JobType) -> None:
    def run(self: Task, params: dict[str, Any]) -> dict[str, Any]:
        return execute(self, job, params)

    run.__name__ = f"run_{job.name}"
    app.task(name=job.task_name, bind=True, base=PipelineTask)(run)


for _job in load_jobs().values():
    _register(_job)
