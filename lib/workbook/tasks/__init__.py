"""Workbook side of the task platform (notebook 50_task_pipeline), seed 003: the plugin
repackaging platform (FastAPI + Celery on Redis + a WebSocket relay of whole task records).

Owns the checks of such a platform, spoken through one dialect seam (`_dialect.py`; the
platforms in `_dialects/`, today `repackaging`, its routes, fields and state words overridable
from params): Redis, the workers (remote control, addressed by name), a task's life over HTTP and
WebSocket, the result's integrity judged from the job's meaning, isolation between packages of the
same name, concurrency, failures and upstream retries, health and liveness with Redis stalled or
down, chaos (worker SIGKILL, Redis restart, link outage, resets) that always rolls back, the temp
and work folders, and creating tasks within the platform's rate limit.
"""

from ._catalog import CHECK_FUNCTIONS, CHECKS
from ._checks_basic import (
    check_redis_counters,
    check_redis_kv,
    check_redis_ping,
    check_redis_pubsub,
    check_workers_inventory,
    check_workers_ping,
)
from ._checks_chaos import (
    check_chaos_link_outage,
    check_chaos_redis_resets,
    check_chaos_redis_restart,
    check_chaos_worker_kill,
)
from ._checks_outage import check_health, check_liveness, check_ws_redis_down
from ._checks_platform import (
    check_concurrency,
    check_creation_pacing,
    check_isolation,
    check_lifecycle,
    check_permanent_failure,
    check_result_integrity,
    check_retention,
    check_upstream_retry,
)
from ._client import Download, Follow, TaskClient
from ._dialect import Created, TaskDialect
from ._dialects import DIALECTS, RepackagingDialect, RepackagingOptions, make_dialect
from ._pacer import CreationPacer
from ._package import result_problems
from ._report import close_run, recovery_table, save_evidence, tasks_table, timeline_figure
from ._run import TaskPipelineRun
from ._settings import TaskPipelineSettings
from ._stream import stream_problems
from ._workers import WorkerControl

__all__ = [
    "CHECKS",
    "CHECK_FUNCTIONS",
    "DIALECTS",
    "Created",
    "CreationPacer",
    "Download",
    "Follow",
    "RepackagingDialect",
    "RepackagingOptions",
    "TaskClient",
    "TaskDialect",
    "TaskPipelineRun",
    "TaskPipelineSettings",
    "WorkerControl",
    "check_chaos_link_outage",
    "check_chaos_redis_resets",
    "check_chaos_redis_restart",
    "check_chaos_worker_kill",
    "check_concurrency",
    "check_creation_pacing",
    "check_health",
    "check_isolation",
    "check_lifecycle",
    "check_liveness",
    "check_permanent_failure",
    "check_redis_counters",
    "check_redis_kv",
    "check_redis_ping",
    "check_redis_pubsub",
    "check_result_integrity",
    "check_retention",
    "check_upstream_retry",
    "check_workers_inventory",
    "check_workers_ping",
    "check_ws_redis_down",
    "close_run",
    "make_dialect",
    "recovery_table",
    "result_problems",
    "save_evidence",
    "stream_problems",
    "tasks_table",
    "timeline_figure",
]
