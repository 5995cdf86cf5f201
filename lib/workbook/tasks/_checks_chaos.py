"""Chaos experiments, each hypothesis -> inject -> observe -> always roll back: a worker process
SIGKILLed mid-task, Redis restarted, the Redis link cut, latency and resets on it. The hypothesis
is the platform's promise to its users: every task ends (completed, failed, or retried to an end)
within a bound, none is left `processing`, and afterwards the workers take new tasks again."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import psutil

from ..chaos import Experiment, Journal, residue, run_experiment
from ..checks import CheckContext
from ._checks_platform import LARGE_SET, package_problems
from ._client import Follow
from ._run import TaskPipelineRun

INJECT_AT_PROGRESS = 40  # "Repackaging ...": unpacked, about to fetch the wheels


def _require_chaos(c: CheckContext, run: TaskPipelineRun) -> None:
    if not run.settings.chaos_ready:
        c.skip("chaos steps run only with fault_proxy_url and chaos_enabled")


def _residue(run: TaskPipelineRun) -> list[str]:
    return residue(run.proxy, [run.settings.fault_proxy_redis]) if run.proxy is not None else []


def _steady(run: TaskPipelineRun, settle_s: float = 20.0) -> list[str]:
    """Every worker answers ping and consumes the queue, within `settle_s`."""
    deadline = time.monotonic() + settle_s
    missing: list[str] = list(run.settings.worker_names)
    while missing and time.monotonic() < deadline:
        try:
            consuming = run.control.consuming(run.dialect.queue)
        except Exception:  # the broker may still be coming back
            consuming = []
        missing = sorted(set(run.settings.worker_names) - set(consuming))
        if missing:
            time.sleep(0.2)
    return [f"workers not consuming {run.dialect.queue!r} within {settle_s:g} s: {missing}"] if missing else []


def _ends(run: TaskPipelineRun, follow: Follow, fault: str) -> list[str]:
    """The target ended within the bound; a record left processing is a lost task."""
    if follow.final_state == "completed":
        return package_problems(run, follow, f"after {fault}")
    if follow.final_state == "failed":
        return []  # an end, reported on the task: the hypothesis allows it
    record = follow.final
    return [
        f"task {follow.task_id} is lost after {fault}: still {run.dialect.field(record, 'status')!r} at progress "
        f"{run.dialect.field(record, 'progress')} {run.settings.task_timeout_s:g} s later, and nothing will end it"
    ]


def _takes_new_tasks(run: TaskPipelineRun, fault: str, journal: Journal) -> list[str]:
    """After the fault, a new task is taken and completes within the bound."""
    url = run.package_url("after-fault", 0)
    created = run.client.create(url)
    if not created.task_id:
        return [f"after {fault} creating a task answered {created.status_code}: {str(created.body)[:160]}"]
    started = time.monotonic()
    record = run.wait_terminal(created.task_id, run.settings.task_timeout_s)
    took = time.monotonic() - started
    journal.observations["new_task_s"] = round(took, 3)
    run.recovery(fault, "new task done after the fault", took if record else None)
    if run.dialect.state(record) == "completed":
        return []
    try:
        consuming = run.control.consuming(run.dialect.queue)
    except Exception as error:
        consuming = [f"(inspect failed: {type(error).__name__})"]
    return [
        f"after {fault} no worker took a new task: it is still {run.dialect.field(record, 'status')!r} "
        f"after {took:.1f} s (workers consuming {run.dialect.queue!r}: {consuming})"
    ]


def _experiment(
    c: CheckContext,
    run: TaskPipelineRun,
    title: str,
    fault: str,
    inject: Callable[[Journal, dict[str, Any]], None],
    rollbacks: tuple[tuple[str, Callable[[], object]], ...],
) -> None:
    """Run one long task, call `inject` (in a thread) once it is repackaging, then judge."""

    def method(journal: Journal) -> list[str]:
        state: dict[str, Any] = {}
        threads: list[threading.Thread] = []

        async def on_record(record: dict[str, Any]) -> None:
            progress = run.dialect.field(record, "progress")
            if threads or run.dialect.state(record) != "running" or not isinstance(progress, int):
                return
            if progress >= INJECT_AT_PROGRESS:
                state["task_id"] = run.dialect.field(record, "id")
                threads.append(threading.Thread(target=_guarded, args=(inject, journal, state), daemon=True))
                threads[0].start()
                await asyncio.sleep(0)

        (target,) = run.run_tasks(f"chaos: {fault}", [run.package_url("chaos", LARGE_SET)], on_record=on_record)
        for thread in threads:
            thread.join(90.0)
        if "error" in state:  # our injection broke, not the platform: nothing is judged
            raise RuntimeError(f"the injection itself failed: {state['error']}")
        if "injected" not in state:
            raise RuntimeError(f"not injected: {state.get('why', 'the task ended before the fault (make it longer)')}")
        journal.observations.update(task_id=target.task_id, final_state=target.final_state, records=len(target.records))
        if target.final_state in ("completed", "failed"):
            end = target.http_terminal_at and (time.time() - (time.monotonic() - target.http_terminal_at))
            run.recovery(fault, "fault -> task ended", (end - state["injected"]) if end else None)
        return _ends(run, target, fault) + _takes_new_tasks(run, fault, journal)

    experiment = Experiment(
        title,
        "the task ends within the bound (none left processing); afterwards the workers take new tasks",
        steady_state=lambda: _steady(run),
        method=method,
        rollbacks=rollbacks,
        residue=lambda: _residue(run),
    )
    journal = run_experiment(experiment)
    run.journals.append(journal)
    c.measure(
        experiment=journal.status,
        rollbacks=[item["name"] for item in journal.rollbacks],
        **{key: value for key, value in journal.observations.items() if key != "traceback"},
    )
    if "the injection itself failed" in journal.error:
        raise RuntimeError(journal.error)  # the check could not exercise the platform: error, not fail
    c.expect_none(journal.problems())


def _guarded(inject: Callable[[Journal, dict[str, Any]], None], journal: Journal, state: dict[str, Any]) -> None:
    try:
        inject(journal, state)
    except Exception as error:  # recorded, and raised again by the method after the task is followed
        state["error"] = f"{type(error).__name__}: {error}"


def check_chaos_worker_kill(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)

    def inject(journal: Journal, state: dict[str, Any]) -> None:
        found = run.control.pid_running(state["task_id"])
        if found is None or not psutil.pid_exists(found[1]):
            state["why"] = f"the process running {state['task_id']} is not visible on this host ({found})"
            return
        os.kill(found[1], signal.SIGKILL)
        state["injected"] = time.time()
        run.mark(f"SIGKILL {found[0]} pid {found[1]}")
        journal.action("sigkill", worker=found[0], pid=found[1], task_id=state["task_id"])

    _experiment(
        c, run, "SIGKILL the worker process running a task", "a worker SIGKILL", inject,
        (("workers consume again", lambda: _settled(run)),),
    )  # fmt: skip


def _settled(run: TaskPipelineRun) -> None:
    problems = _steady(run)
    if problems:
        raise RuntimeError(problems[0])


def check_chaos_redis_restart(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)
    if not run.settings.redis_admin_url:
        c.skip("restarting Redis needs redis_admin_url (sandbox); live, the link outage stands in for it")
    admin = run.settings.redis_admin_url

    def inject(journal: Journal, state: dict[str, Any]) -> None:
        state["injected"] = time.time()
        run.mark("redis restart")
        journal.action("redis restart", down_s=run.settings.redis_down_s)
        httpx.post(admin + "/_sandbox/redis/restart", json={"down_s": run.settings.redis_down_s}, timeout=60.0)
        run.mark("redis back")

    def redis_up() -> None:
        httpx.post(admin + "/_sandbox/redis/start", timeout=30.0).raise_for_status()

    _experiment(c, run, "restart Redis while a task runs", "a Redis restart", inject, (("redis up", redis_up),))


def check_chaos_link_outage(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)
    assert run.proxy is not None
    proxy, toxiproxy = run.settings.fault_proxy_redis, run.proxy

    def inject(journal: Journal, state: dict[str, Any]) -> None:
        state["injected"] = time.time()
        toxiproxy.set_enabled(proxy, False)
        run.mark("redis link down")
        journal.action("redis link down", down_s=run.settings.redis_down_s)
        time.sleep(run.settings.redis_down_s)
        toxiproxy.set_enabled(proxy, True)
        run.mark("redis link back")

    _experiment(
        c, run, "cut the Redis link while a task runs", "a Redis link outage", inject,
        (("proxy enabled", lambda: toxiproxy.set_enabled(proxy, True)),),
    )  # fmt: skip


def check_chaos_redis_resets(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)
    assert run.proxy is not None
    proxy, toxiproxy, latency = run.settings.fault_proxy_redis, run.proxy, run.settings.chaos_latency_ms
    names = ("workbook_latency", "workbook_reset")

    def inject(journal: Journal, state: dict[str, Any]) -> None:
        state["injected"] = time.time()
        toxiproxy.add_toxic(proxy, "latency", {"latency": latency, "jitter": latency // 4}, name=names[0])
        journal.action("latency", latency_ms=latency)
        toxiproxy.add_toxic(proxy, "reset_peer", {"timeout": 0}, name=names[1])
        run.mark("latency + reset_peer")
        journal.action("reset_peer", timeout_ms=0)
        time.sleep(0.3)
        toxiproxy.remove_toxic(proxy, names[1])
        run.mark("reset_peer removed")
        time.sleep(0.5)
        toxiproxy.remove_toxic(proxy, names[0])
        run.mark("latency removed")

    def remove_ours() -> None:
        for name in names:
            if any(toxic.get("name") == name for toxic in toxiproxy.toxics(proxy)):
                toxiproxy.remove_toxic(proxy, name)

    _experiment(
        c, run, "latency and connection resets on the Redis link", "latency and resets", inject,
        (("remove toxics", remove_ours), ("proxy enabled", lambda: toxiproxy.set_enabled(proxy, True))),
    )  # fmt: skip
