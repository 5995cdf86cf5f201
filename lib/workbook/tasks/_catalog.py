"""Notebook 50's checks: what each judges, how bad a failure is, and what to do about it."""

from __future__ import annotations

from collections.abc import Callable

from ..checks import CheckContext, CheckSpec, Severity
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
from ._run import TaskPipelineRun

CHECKS: dict[str, CheckSpec] = {
    "redis_auth": CheckSpec(
        title="1.1 Redis answers PING with the password and refuses without",
        service="redis",
        severity=Severity.CRITICAL,
        remedy="set requirepass; never run Redis without auth",
    ),
    "redis_kv": CheckSpec(
        title="1.2 SET/GET round trip; expiry honoured",
        service="redis",
        remedy="check maxmemory policy and the server's clock",
    ),
    "redis_pubsub": CheckSpec(
        title="1.3 pub/sub delivers N messages, none lost, in order",
        service="redis",
        remedy="check client output buffer limits for pubsub",
    ),
    "redis_counters": CheckSpec(
        title="1.4 concurrent INCRs from 4 clients add up exactly",
        service="redis",
        remedy="use atomic commands, not read-modify-write",
    ),
    "workers_ping": CheckSpec(
        title="2.1 each worker answers an addressed ping (limit set) before the timeout",
        service="workers",
        severity=Severity.CRITICAL,
        remedy="start the workers; check broker URL",
    ),
    "workers_inventory": CheckSpec(
        title="2.2 workers registered the job task, consume the queue, report stats",
        service="workers",
        remedy="deploy the same task modules to every worker",
    ),
    "lifecycle": CheckSpec(
        title="3 submit -> ordered gapless progress over WebSocket -> terminal -> sha256 matches",
        service="tasks-api",
        severity=Severity.CRITICAL,
        remedy="publish every event with its sequence number; hash the file you serve",
        figures=("queue_wait_s", "run_s"),
    ),
    "concurrency": CheckSpec(
        title="4.1 M tasks at once all complete, none twice; throughput and latency",
        service="workers",
        remedy="acks_late + prefetch 1; idempotent tasks",
        figures=("throughput_per_s", "latency_p95_s"),
    ),
    "scaling": CheckSpec(
        title="4.2 two workers give more throughput than one",
        service="workers",
        severity=Severity.MINOR,
        remedy="check prefetch and that both workers consume the queue",
    ),
    "permanent_failure": CheckSpec(
        title="5.1 a permanent failure reports FAILURE with its cause over HTTP and WS",
        service="tasks-api",
        remedy="publish a terminal FAILURE event with the error",
    ),
    "upstream_retry": CheckSpec(
        title="5.2 upstream 503/429/timeout retried with backoff, Retry-After honoured",
        service="workers",
        remedy="retry 5xx/timeouts with backoff; sleep Retry-After on 429",
    ),
    "temp_cleanup": CheckSpec(
        title="5.3 finished tasks leave no temp folder behind",
        service="workers",
        severity=Severity.MINOR,
        remedy="remove the temp folder in a finally block",
    ),
    "large_result": CheckSpec(
        title="5.4 a large result streams with the right sha256",
        service="tasks-api",
        remedy="serve files with a streaming response",
    ),
    "readiness": CheckSpec(
        title="6.1 live stays pass while ready fails with Redis unreachable, then recovers",
        service="tasks-api",
        severity=Severity.CRITICAL,
        remedy="readiness checks Redis and consuming workers; liveness checks only the process",
        figures=("ready_fail_after_s", "ready_pass_after_s"),
    ),
    "stuck_task": CheckSpec(
        title="6.2 a task nobody consumes is reported stuck, not left PENDING silently",
        service="tasks-api",
        remedy="pair PENDING with 'a worker consumes the queue'",
    ),
    "chaos_worker_kill": CheckSpec(
        title="7.1 SIGKILL mid-task: the task completes elsewhere, nothing lost",
        service="workers",
        severity=Severity.CRITICAL,
        remedy="task_acks_late=True and task_reject_on_worker_lost=True",
        figures=("recovery_s",),
    ),
    "chaos_redis_restart": CheckSpec(
        title="7.2 Redis restart: reconnect, resubscribe, no event lost by sequence",
        service="tasks-api",
        severity=Severity.CRITICAL,
        remedy="resubscribe on connection loss and backfill from the history",
    ),
    "chaos_redis_latency": CheckSpec(
        title="7.3 latency and resets on the Redis link: tasks complete, latency shows",
        service="workers",
        remedy="retry Redis calls; idempotent event writes",
        figures=("added_s",),
    ),
}

CHECK_FUNCTIONS: dict[str, Callable[[CheckContext, TaskPipelineRun], None]] = {
    "redis_auth": check_redis_auth,
    "redis_kv": check_redis_kv,
    "redis_pubsub": check_redis_pubsub,
    "redis_counters": check_redis_counters,
    "workers_ping": check_workers_ping,
    "workers_inventory": check_workers_inventory,
    "lifecycle": check_lifecycle,
    "concurrency": check_concurrency,
    "scaling": check_scaling,
    "permanent_failure": check_permanent_failure,
    "upstream_retry": check_upstream_retry,
    "temp_cleanup": check_temp_cleanup,
    "large_result": check_large_result,
    "readiness": check_readiness,
    "stuck_task": check_stuck_task,
    "chaos_worker_kill": check_chaos_worker_kill,
    "chaos_redis_restart": check_chaos_redis_restart,
    "chaos_redis_latency": check_chaos_redis_latency,
}
