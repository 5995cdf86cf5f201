"""Workbook side of the task pipeline (issue 10, notebook 50_task_pipeline).

Owns the checks of a Celery-on-Redis task platform: Redis itself, the workers (remote control,
addressed with reply limits), one task's lifecycle over HTTP and WebSocket (ordered, gapless
events; the downloaded result's sha256 against the final event), concurrency and scaling,
failures (permanent, upstream retries with Retry-After, temp files, a large result), readiness
and stuck tasks, and chaos experiments (worker SIGKILL, Redis restart, latency and resets on the
Redis link through a Toxiproxy API) that always roll back. The same code runs against the
sandbox and a live platform; only params change.
"""

from ._api import Download, Observation, TaskApi
from ._catalog import CHECK_FUNCTIONS, CHECKS
from ._checks_basic import (
    check_concurrency,
    check_lifecycle,
    check_redis_auth,
    check_redis_counters,
    check_redis_kv,
    check_redis_pubsub,
    check_scaling,
    check_workers_inventory,
    check_workers_ping,
)
from ._checks_chaos import check_chaos_redis_latency, check_chaos_redis_restart, check_chaos_worker_kill
from ._checks_failures import (
    check_large_result,
    check_permanent_failure,
    check_readiness,
    check_stuck_task,
    check_temp_cleanup,
    check_upstream_retry,
)
from ._inspect import health_problems, health_status, sequence_problems
from ._report import recovery_table, save_evidence, tasks_table, timeline_figure
from ._run import TaskPipelineRun
from ._settings import TaskPipelineSettings
from ._workers import WorkerControl

__all__ = [
    "CHECKS",
    "CHECK_FUNCTIONS",
    "Download",
    "Observation",
    "TaskApi",
    "TaskPipelineRun",
    "TaskPipelineSettings",
    "WorkerControl",
    "check_chaos_redis_latency",
    "check_chaos_redis_restart",
    "check_chaos_worker_kill",
    "check_concurrency",
    "check_large_result",
    "check_lifecycle",
    "check_permanent_failure",
    "check_readiness",
    "check_redis_auth",
    "check_redis_counters",
    "check_redis_kv",
    "check_redis_pubsub",
    "check_scaling",
    "check_stuck_task",
    "check_temp_cleanup",
    "check_upstream_retry",
    "check_workers_inventory",
    "check_workers_ping",
    "health_problems",
    "health_status",
    "recovery_table",
    "save_evidence",
    "sequence_problems",
    "tasks_table",
    "timeline_figure",
]
