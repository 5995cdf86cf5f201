"""Checks of sections 1-4: Redis, workers, one task's lifecycle, concurrency and scaling."""

from __future__ import annotations

import time
from typing import Any

from ..checks import CheckContext
from ._api import Download, Observation
from ._inspect import percentile, sequence_problems
from ._redis import auth_problems, counter_problems, kv_problems, pubsub_problems
from ._run import TaskPipelineRun


def check_redis_auth(c: CheckContext, run: TaskPipelineRun) -> None:
    problems, measured = auth_problems(run.settings.redis_url, run.password)
    c.measure(**measured)
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
    problems, measured = counter_problems(
        run.settings.redis_url, run.password, run.prefix, run.settings.counter_increments
    )
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
    replies, together = run.control.ping()
    c.measure(ping_ms=per_worker, all_workers_ms=round(together * 1000, 1), timeout_s=timeout)
    c.expect(
        set(replies) == set(run.settings.worker_names),
        f"addressed ping of every worker: answers from {sorted(replies)}, expected {run.settings.worker_names}",
    )
    c.note("an unaddressed broadcast waits out its whole timeout; these pings name each worker and set limit")


def check_workers_inventory(c: CheckContext, run: TaskPipelineRun) -> None:
    task_name = f"pipeline.{run.settings.job_type}"
    registered = run.control.inspect("registered")
    queues = run.control.inspect("active_queues")
    stats = run.control.inspect("stats")
    for name in run.settings.worker_names:
        c.expect(task_name in (registered.get(name) or []), f"worker {name} has not registered task {task_name}")
        names = [queue.get("name") for queue in queues.get(name) or []]
        c.expect(run.settings.queue in names, f"worker {name} does not consume queue {run.settings.queue!r}: {names}")
        worker_stats = stats.get(name) or {}
        c.expect("pool" in worker_stats and "broker" in worker_stats, f"worker {name} sent no stats")
    c.measure(
        registered={name: len(tasks or []) for name, tasks in registered.items()},
        queues={name: [queue.get("name") for queue in items or []] for name, items in queues.items()},
        executed={name: (item.get("total") or {}) for name, item in stats.items()},
        pool={name: (item.get("pool") or {}).get("max-concurrency") for name, item in stats.items()},
    )


def result_problems(run: TaskPipelineRun, observation: Observation, download: Download | None = None) -> list[str]:
    """The terminal event's sha256 and size against the bytes downloaded (evidence the worker did
    not write), plus the HTTP state. Downloads the result unless `download` is given."""
    problems = []
    if observation.final_state != "SUCCESS":
        problems.append(
            f"task {observation.task_id} ended {observation.final_state or 'unknown'} over HTTP: "
            f"{observation.state.get('error', '')}"
        )
        return problems
    final = observation.terminal_event
    claimed = (final or {}).get("result") or observation.state.get("result") or {}
    download = download or run.api.download(observation.task_id)
    if download.status != 200:
        return [*problems, f"result download answered {download.status}"]
    if download.sha256 != claimed.get("sha256"):
        problems.append(
            f"downloaded result sha256 {download.sha256[:16]}… differs from the final event's "
            f"{str(claimed.get('sha256'))[:16]}… ({download.size} bytes): the result file is corrupt"
        )
    if download.size != claimed.get("size"):
        problems.append(f"downloaded {download.size} bytes, the final event says {claimed.get('size')}")
    return problems


def check_lifecycle(c: CheckContext, run: TaskPipelineRun) -> None:
    (observation,) = run.run_tasks("lifecycle", [run.job_params()])
    c.measure(task_id=observation.task_id, events=len(observation.events), **observation.phases())
    if observation.timed_out:
        c.fail(f"task {observation.task_id} did not end within {run.settings.task_timeout_s} s")
    c.expect_none(f"WebSocket: {problem}" for problem in sequence_problems(observation.events))
    c.expect(not observation.ws_error, f"WebSocket error: {observation.ws_error}")
    c.expect_none(result_problems(run, observation))


def _throughput(observations: list[Observation]) -> tuple[float, list[float]]:
    totals = [observation.phases().get("total_s", float("nan")) for observation in observations]
    starts = [float(observation.state.get("submitted_at", observation.submitted_at)) for observation in observations]
    ends = [
        float((observation.terminal_event or {}).get("time", observation.finished_at)) for observation in observations
    ]
    span = max(ends) - min(starts)
    return (len(observations) / span if span > 0 else float("inf")), totals


def check_concurrency(c: CheckContext, run: TaskPipelineRun) -> None:
    count = run.settings.concurrent_tasks
    observed = run.run_tasks("concurrency", [run.job_params() for _ in range(count)])
    throughput, totals = _throughput(observed)
    waits = [observation.phases().get("queue_wait_s", float("nan")) for observation in observed]
    c.measure(
        tasks=count,
        throughput_per_s=round(throughput, 3),
        latency_p50_s=percentile(totals, 50),
        latency_p95_s=percentile(totals, 95),
        queue_wait_p50_s=percentile(waits, 50),
        workers_used=sorted({str(event.get("worker")) for o in observed for event in o.events[:1]}),
    )
    for observation in observed:
        c.expect(
            observation.final_state == "SUCCESS",
            f"task {observation.task_id} ended {observation.final_state or 'unknown'}",
        )
        started = [event for event in observation.events if event.get("state") == "STARTED"]
        c.expect(len(started) <= 1, f"task {observation.task_id} ran {len(started)} times")
        if run.settings.upstream_admin_url:
            fetches = run.upstream_requests(observation.task_id)
            c.expect(
                len(fetches) == 1,
                f"the upstream saw {len(fetches)} fetches for task {observation.task_id}, "
                "expected exactly one (it ran twice, or never)",
            )
    c.expect(len({o.task_id for o in observed}) == count, "task ids are not unique")


def check_scaling(c: CheckContext, run: TaskPipelineRun) -> None:
    names = run.settings.worker_names
    if len(names) < 2:
        c.skip("scaling needs at least two workers")
    if not run.settings.chaos_enabled:
        c.skip("scaling takes workers off the queue: only with chaos_enabled (it changes live capacity)")
    count = run.settings.scaling_tasks
    # Run time must dominate submission and WebSocket overheads, or the ratio measures those.
    params = [
        run.job_params(frames=max(5, run.settings.frames), step_s=max(0.1, run.settings.step_s)) for _ in range(count)
    ]
    measured: dict[str, Any] = {}
    run.control.cancel_consumer(run.settings.queue, names[1:])
    run.mark("scale to 1 worker")
    try:
        _wait_consumers(run, 1)
        one, _ = _throughput(run.run_tasks("scaling-1", params))
    finally:
        run.control.add_consumer(run.settings.queue, names[1:])
        run.mark("scale back")
    _wait_consumers(run, len(names))
    many, _ = _throughput(run.run_tasks(f"scaling-{len(names)}", params))
    ratio = many / one if one else float("nan")
    measured.update(one_worker_per_s=round(one, 3), all_workers_per_s=round(many, 3), ratio=round(ratio, 2))
    c.measure(**measured)
    c.expect(
        ratio >= run.settings.scaling_min_ratio,
        f"throughput with {len(names)} workers is {ratio:.2f}x that of one (expected >= "
        f"{run.settings.scaling_min_ratio}x): the second worker does not share the load",
    )


def _wait_consumers(run: TaskPipelineRun, count: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if len(run.control.consuming(run.settings.queue)) == count:
            return
        time.sleep(0.1)
    raise TimeoutError(f"{count} consuming workers expected within {timeout_s} s")
