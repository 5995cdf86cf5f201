"""Checks of Redis itself and of the Celery workers (remote control, addressed by name)."""

from __future__ import annotations

from ..checks import CheckContext
from ._redis import auth_problems, counter_problems, kv_problems, pubsub_problems
from ._run import TaskPipelineRun


def check_redis_ping(c: CheckContext, run: TaskPipelineRun) -> None:
    problems, measured = auth_problems(run.redis_url, run.password)
    c.measure(**measured)
    if not measured.get("password"):
        c.note("Redis has no password, as the platform ships it: only PING is checked")
    c.expect_none(problems)


def check_redis_kv(c: CheckContext, run: TaskPipelineRun) -> None:
    with run.redis() as client:
        problems, measured = kv_problems(client, run.prefix)
    c.measure(**measured)
    c.expect_none(problems)


def check_redis_pubsub(c: CheckContext, run: TaskPipelineRun) -> None:
    with run.redis() as client:
        problems, measured = pubsub_problems(client, run.prefix, run.settings.pubsub_messages)
    c.measure(**measured)
    c.expect_none(problems)


def check_redis_counters(c: CheckContext, run: TaskPipelineRun) -> None:
    problems, measured = counter_problems(run.redis_url, run.password, run.prefix, run.settings.counter_increments)
    c.measure(**measured)
    c.expect_none(problems)


def check_workers_ping(c: CheckContext, run: TaskPipelineRun) -> None:
    timeout = run.settings.ping_timeout_s
    per_worker: dict[str, float] = {}
    for name in run.settings.worker_names:
        replies, elapsed = run.control.ping([name])
        per_worker[name] = round(elapsed * 1000, 1)
        c.expect(replies.get(name) == {"ok": "pong"}, f"worker {name} did not answer an addressed ping: {replies}")
        c.expect(elapsed < timeout, f"addressed ping to {name} took {elapsed:.2f} s: the reply limit did not apply")
    c.measure(ping_ms=per_worker, timeout_s=timeout)


def check_workers_inventory(c: CheckContext, run: TaskPipelineRun) -> None:
    names, queue = run.dialect.task_names, run.dialect.queue
    registered = run.control.inspect("registered")
    queues = run.control.inspect("active_queues")
    stats = run.control.inspect("stats")
    for worker in run.settings.worker_names:
        missing = [name for name in names if name not in (registered.get(worker) or [])]
        c.expect(not missing, f"worker {worker} has not registered {missing}")
        consumed = [item.get("name") for item in queues.get(worker) or []]
        c.expect(queue in consumed, f"worker {worker} does not consume queue {queue!r}: {consumed}")
        c.expect("pool" in (stats.get(worker) or {}), f"worker {worker} sent no stats")
    c.measure(
        registered={worker: sorted(tasks or []) for worker, tasks in registered.items()},
        queues={worker: [item.get("name") for item in items or []] for worker, items in queues.items()},
        pool={worker: (item.get("pool") or {}).get("max-concurrency") for worker, item in stats.items()},
    )
