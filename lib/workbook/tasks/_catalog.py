"""Notebook 50's checks: what each judges, how bad a failure is, and what to do about it."""

from __future__ import annotations

from collections.abc import Callable

from ..checks import CheckContext, CheckSpec, Severity
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
from ._run import TaskPipelineRun

CRITICAL, MINOR = Severity.CRITICAL, Severity.MINOR

CHECKS: dict[str, CheckSpec] = {
    "redis_ping": CheckSpec(
        title="1.1 Redis answers PING (and refuses without its password, if it has one)", service="redis"
    ),
    "redis_kv": CheckSpec(title="1.2 SET/GET round trip; expiry honoured", service="redis"),
    "redis_pubsub": CheckSpec(title="1.3 pub/sub delivers N messages, none lost, in order", service="redis"),
    "redis_counters": CheckSpec(title="1.4 concurrent INCRs from 4 clients add up exactly", service="redis"),
    "workers_ping": CheckSpec(
        title="2.1 each worker answers an addressed ping before the timeout", service="repackager", severity=CRITICAL
    ),
    "workers_inventory": CheckSpec(
        title="2.2 workers registered the platform's tasks and consume its queue", service="repackager"
    ),
    "health": CheckSpec(title="3.1 /health says healthy (read from the body) with everything up", service="repackager"),
    "lifecycle": CheckSpec(
        title="3.2 create -> records over WebSocket -> completed; 400 before, 200 after; unknown task refused",
        service="repackager",
        severity=CRITICAL,
        remedy="subscribe before reading the snapshot so no update falls in between",
        figures=("total_s",),
    ),
    "result_integrity": CheckSpec(
        title="3.3 the result is the original package + wheels/ for every requirement + an offline requirements.txt",
        service="repackager",
        severity=CRITICAL,
    ),
    "isolation": CheckSpec(
        title="4.1 two packages with the same file name, one after the other and at once: each result only its own",
        service="repackager",
        severity=CRITICAL,
        remedy="work in a folder per task (or lock and clear the per-name folder); never pick an output by suffix",
    ),
    "concurrency": CheckSpec(
        title="4.2 several tasks at once all complete, each downloaded once", service="repackager"
    ),
    "permanent_failure": CheckSpec(
        title="5.1 a package that does not exist fails the task, naming the 404", service="repackager"
    ),
    "upstream_retry": CheckSpec(
        title="5.2 download source 500/503/timeout retried with backoff, 429 after Retry-After, final failure reported",
        service="repackager",
        remedy="retry 429 after its Retry-After like 5xx and timeouts",
    ),
    "liveness": CheckSpec(
        title="6.1 a stalled Redis link: unrelated routes answer, /health says unhealthy in time",
        service="repackager",
        severity=CRITICAL,
        remedy="use redis.asyncio (or a thread) with socket timeouts; never block the event loop on Redis",
    ),
    "ws_redis_down": CheckSpec(
        title="6.2 WebSocket while Redis is down: a clean refusal or error event, not a 500 handshake",
        service="repackager",
        remedy="catch Redis errors before accept and refuse or report them",
    ),
    "chaos_worker_kill": CheckSpec(
        title="7.1 SIGKILL the worker process mid-task: the task ends, workers take new tasks",
        service="repackager",
        severity=CRITICAL,
        remedy="task_acks_late=True and task_reject_on_worker_lost=True",
        figures=("new_task_s",),
    ),
    "chaos_redis_restart": CheckSpec(
        title="7.2 Redis restart mid-task: the task ends, workers consume again",
        service="repackager",
        severity=CRITICAL,
    ),
    "chaos_link_outage": CheckSpec(
        title="7.3 the Redis link cut mid-task: the task ends, none left processing",
        service="repackager",
        severity=CRITICAL,
        remedy="retry the record writes (redis-py Retry) so an outage cannot strand a task",
    ),
    "chaos_redis_resets": CheckSpec(
        title="7.4 latency and resets on the Redis link: the task still ends", service="repackager"
    ),
    "retention": CheckSpec(
        title="8.1 TEMP_DIR/<task_id>/ kept with the result (7-day retention); no work folder left in SCRIPTS_DIR",
        service="repackager",
        severity=MINOR,
    ),
    "creation_pacing": CheckSpec(
        title="8.2 creations stayed within the stated 30/min; a 429 within it would be the platform's",
        service="repackager",
        severity=MINOR,
    ),
}

CHECK_FUNCTIONS: dict[str, Callable[[CheckContext, TaskPipelineRun], None]] = {
    "redis_ping": check_redis_ping,
    "redis_kv": check_redis_kv,
    "redis_pubsub": check_redis_pubsub,
    "redis_counters": check_redis_counters,
    "workers_ping": check_workers_ping,
    "workers_inventory": check_workers_inventory,
    "health": check_health,
    "lifecycle": check_lifecycle,
    "result_integrity": check_result_integrity,
    "isolation": check_isolation,
    "concurrency": check_concurrency,
    "permanent_failure": check_permanent_failure,
    "upstream_retry": check_upstream_retry,
    "liveness": check_liveness,
    "ws_redis_down": check_ws_redis_down,
    "chaos_worker_kill": check_chaos_worker_kill,
    "chaos_redis_restart": check_chaos_redis_restart,
    "chaos_link_outage": check_chaos_link_outage,
    "chaos_redis_resets": check_chaos_redis_resets,
    "retention": check_retention,
    "creation_pacing": check_creation_pacing,
}
