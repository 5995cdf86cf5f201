"""The worker side (`celery -A workbook.sandbox.repackager._worker:app worker`): the platform's
three tasks under their real names, each record update stored and published whole.

Correct by default: tasks acknowledged after they ran and requeued if their process dies, record
writes retried across a Redis restart or a dropped link (~30 s), workers back on the queue after an
outage. Switches `ack_early`, `no_redis_retry`, `stop_consuming_after_outage` restore the real
platform's behaviour (see `_switches.py`).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import redis
from celery import Task, signals
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from . import _store as store
from ._celery import make_celery
from ._config import QUEUE, TASK_PREFIX, Settings
from ._fetch import FetchError, download_package
from ._repack import repackage
from ._switches import FileSwitches

logger = logging.getLogger("repackager.worker")
settings = Settings.from_env()
app = make_celery(settings)
switches = FileSwitches(settings.switches_file)
_retrying = redis.Redis.from_url(
    settings.redis_url,
    decode_responses=True,
    socket_timeout=3.0,
    socket_connect_timeout=2.0,
    retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 40),
    retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],
)
# The real client: no retry (redis-py 5.0 default). Timeouts are the stand-in's, so it never hangs.
_plain = redis.Redis.from_url(
    settings.redis_url,
    decode_responses=True,
    socket_timeout=3.0,
    socket_connect_timeout=2.0,
    retry=Retry(NoBackoff(), 0),
)


def _client() -> redis.Redis:
    return _plain if switches.on("no_redis_retry") else _retrying


def update(task_id: str, status: str, progress: int, message: str, **fields: Any) -> None:
    store.update_task_status(_client(), task_id, status, progress, message, ttl_s=settings.record_ttl_s, **fields)


class RepackagingTask(Task):
    @property
    def acks_late(self) -> bool:  # read by the worker for every message it receives
        return not switches.on("ack_early")

    @property
    def reject_on_worker_lost(self) -> bool:
        return not switches.on("ack_early")


@app.task(bind=True, base=RepackagingTask, name=TASK_PREFIX + "process_repackaging")
def process_repackaging(
    self: Task, task_id: str, url: str, platform: str, suffix: str, is_local_file: bool = False
) -> dict[str, Any]:
    try:
        if is_local_file:
            path = Path(url)
            update(task_id, store.PROCESSING, 10, f"Processing uploaded file: {path.name}", original_filename=path.name)
        else:
            update(task_id, store.DOWNLOADING, 5, "Starting download...")
            path, filename = download_package(url, settings.temp_dir / task_id, settings, switches)
            update(task_id, store.PROCESSING, 15, f"Downloaded {filename}", original_filename=filename)
        output = repackage(
            path,
            suffix or "offline",
            task_id,
            settings,
            switches,
            lambda line, p: update(task_id, store.PROCESSING, p, line),
        )
        update(task_id, store.COMPLETED, 100, "Repackaging completed successfully", output_filename=output)
        return {"task_id": task_id, "status": store.COMPLETED, "output_filename": output}
    except Exception as error:
        logger.exception("Error processing task %s", task_id)
        update(task_id, store.FAILED, 0, "Processing failed", error=str(error))
        raise


@app.task(bind=True, base=RepackagingTask, name=TASK_PREFIX + "process_marketplace_repackaging")
def process_marketplace_repackaging(
    self: Task, task_id: str, author: str, name: str, version: str, platform: str, suffix: str, metadata: Any = None
) -> dict[str, Any]:
    """Registered for the inventory; the public marketplace is not reachable from the sandbox."""
    update(task_id, store.DOWNLOADING, 5, f"Downloading {author}/{name} v{version} from marketplace...")
    error = FetchError("URL domain not allowed: the sandbox has no marketplace")
    update(task_id, store.FAILED, 0, "Processing failed", error=str(error))
    raise error


@app.task(name=TASK_PREFIX + "cleanup_old_files")
def cleanup_old_files() -> str:
    """Remove TEMP_DIR/<task_id>/ folders older than the retention (7 days, sandbox-scaled)."""
    cutoff = time.time() - settings.scaled(settings.file_retention_days * 86400)
    removed = 0
    for folder in settings.temp_dir.iterdir() if settings.temp_dir.exists() else []:
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return f"Cleaned {removed} old task directories"


@signals.worker_ready.connect
def _watch_broker(sender: Any = None, **_: Any) -> None:
    hostname = str(getattr(sender, "hostname", "") or "")
    threading.Thread(target=_outage_watch, args=(hostname,), name="outage-watch", daemon=True).start()


def _outage_watch(hostname: str) -> None:
    """Switch `stop_consuming_after_outage`: once Redis was unreachable and is back, this worker
    stops consuming the queue (asked through the remote control, the only thread-safe way in).
    When the switch is turned off again, it consumes again: the sandbox's defect ends with its switch."""
    probe = redis.Redis.from_url(
        settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )
    was_down = stopped = False
    while True:
        try:
            probe.ping()
            up = True
        except (RedisConnectionError, RedisTimeoutError, OSError):
            up = False
        if not up:
            was_down = True
        elif was_down and switches.on("stop_consuming_after_outage"):
            was_down = not _remote(app.control.cancel_consumer, hostname)
            stopped = stopped or not was_down
        else:
            was_down = False
            if stopped and not switches.on("stop_consuming_after_outage"):
                stopped = not _remote(app.control.add_consumer, hostname)
        time.sleep(0.2)


def _remote(command: Any, hostname: str) -> bool:
    """True once the worker answered the command (the broker may still be coming back)."""
    try:
        if command(QUEUE, destination=[hostname], reply=True, timeout=1.0):
            logger.warning("%s: %s %s (switch stop_consuming_after_outage)", hostname, command.__name__, QUEUE)
            return True
    except Exception:
        time.sleep(0.5)
    return False
