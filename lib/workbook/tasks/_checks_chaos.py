"""Section 7: chaos experiments, each hypothesis -> inject -> observe -> always roll back."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from typing import Any

import httpx
import psutil

from ..chaos import Experiment, Journal, residue, run_experiment
from ..checks import CheckContext
from ._checks_basic import result_problems
from ._checks_failures import sample_health, wait_ready
from ._inspect import TERMINAL, percentile, sequence_problems
from ._run import TaskPipelineRun

INJECT_AT_PROGRESS = 30.0


def _steady(run: TaskPipelineRun, settle_s: float = 20.0) -> list[str]:
    """Workers answer ping and readiness is pass, within `settle_s` (clients reconnect after a fault)."""
    problems = []
    deadline = time.monotonic() + settle_s
    missing = list(run.settings.worker_names)
    while missing and time.monotonic() < deadline:
        replies, _ = run.control.ping()
        missing = sorted(set(run.settings.worker_names) - set(replies))
        if missing:
            time.sleep(0.2)
    if missing:
        problems.append(f"workers not answering ping within {settle_s:g} s: {missing}")
    took, _ = wait_ready(run, "pass", settle_s)
    if took is None:
        problems.append("/health/ready is not pass")
    return problems


def _residue(run: TaskPipelineRun) -> list[str]:
    return residue(run.proxy, [run.settings.fault_proxy_redis]) if run.proxy is not None else []


def _require_chaos(c: CheckContext, run: TaskPipelineRun) -> None:
    if not run.settings.chaos_ready:
        c.skip("chaos steps run only with fault_proxy_url and chaos_enabled")


def _record(c: CheckContext, run: TaskPipelineRun, journal: Journal) -> None:
    run.journals.append(journal)
    c.measure(
        experiment=journal.status,
        rollbacks=[item["name"] for item in journal.rollbacks],
        **{key: value for key, value in journal.observations.items() if key != "traceback"},
    )
    c.expect_none(journal.problems())


def check_chaos_worker_kill(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)
    long_frames = max(10, run.settings.frames)
    params = run.job_params(frames=long_frames, step_s=max(0.1, run.settings.step_s))
    others = [run.job_params(frames=long_frames // 2) for _ in range(2)]
    # The long task is the target: its progress messages read "frame i/<long_frames>".
    target_suffix = f"/{long_frames}"

    def method(journal: Journal) -> list[str]:
        killed: dict[str, Any] = {}

        async def on_event(event: dict[str, Any]) -> None:
            if (
                "pid" in killed
                or event.get("state") in TERMINAL
                or float(event.get("progress", 0)) < INJECT_AT_PROGRESS
            ):
                return
            if not str(event.get("message", "")).endswith(target_suffix):
                return
            killed["task_id"] = event["task_id"]
            # `inspect active` may miss a task for a moment; the next progress event tries again.
            found = await asyncio.to_thread(run.control.pid_running, event["task_id"])
            if found is None or not psutil.pid_exists(found[1]):
                killed["lookup"] = f"the process running {event['task_id']} is not visible on this host ({found})"
                return
            os.kill(found[1], signal.SIGKILL)
            killed.update(worker=found[0], pid=found[1], time=time.time())
            run.mark(f"SIGKILL {found[0]} pid {found[1]}")
            journal.action("sigkill", worker=found[0], pid=found[1], task_id=event["task_id"])

        observed = run.run_tasks("chaos: worker kill", [params, *others], on_event=on_event)
        if "pid" not in killed:
            why = killed.get("lookup", "the tasks ended before the kill could be injected (make them longer)")
            raise RuntimeError(f"not injected: {why}")
        target = next(o for o in observed if o.task_id == killed["task_id"])
        rest = [o for o in observed if o is not target]
        deviations = []
        attempts = sorted({int(event.get("attempt", 1)) for event in target.events})
        restarted = [
            event for event in target.events if event.get("state") == "STARTED" and event["time"] > killed["time"]
        ]
        journal.observations.update(
            killed_pid=killed["pid"], killed_worker=killed["worker"], attempts=attempts, final_state=target.final_state
        )
        if target.final_state != "SUCCESS":
            deviations.append(
                f"task {target.task_id} was lost after its worker process was SIGKILLed: final state "
                f"{target.final_state or 'unknown'} ({target.state.get('error', '')})"
            )
        else:
            deviations += result_problems(run, target)
        if restarted:
            recovery = float(restarted[0]["time"]) - killed["time"]
            journal.observations.update(recovered_on=restarted[0].get("worker"), recovery_s=round(recovery, 3))
            run.recovery("worker kill", "kill -> task restarted", recovery)
        end = target.terminal_event
        if end is not None:
            run.recovery("worker kill", "kill -> task done", float(end["time"]) - killed["time"])
        for other in rest:
            if other.final_state != "SUCCESS":
                deviations.append(f"task {other.task_id} alongside the kill ended {other.final_state or 'unknown'}")
        return deviations

    experiment = Experiment(
        "SIGKILL the worker process running a task",
        "a task whose worker process is killed mid-run is redelivered and completes elsewhere; nothing is lost",
        steady_state=lambda: _steady(run),
        method=method,
        rollbacks=(("workers answer ping", lambda: _wait_workers(run)),),
        residue=lambda: _residue(run),
    )
    _record(c, run, run_experiment(experiment))


def _wait_workers(run: TaskPipelineRun, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if set(run.control.ping()[0]) >= set(run.settings.worker_names):
            return
        time.sleep(0.2)
    raise TimeoutError(f"workers did not all answer ping within {timeout_s} s")


def _outage(run: TaskPipelineRun, journal: Journal, done: dict[str, float]) -> None:
    """Restart Redis for real (sandbox admin) or take its link down for redis_down_s (proxy)."""
    done["down"] = time.time()
    if run.settings.redis_admin_url:
        run.mark("redis restart")
        journal.action("redis restart", down_s=run.settings.redis_down_s)
        httpx.post(
            run.settings.redis_admin_url + "/_sandbox/redis/restart",
            json={"down_s": run.settings.redis_down_s},
            timeout=60.0,
        ).raise_for_status()
    else:
        assert run.proxy is not None
        run.mark("redis link down")
        journal.action("redis link down", down_s=run.settings.redis_down_s)
        run.proxy.set_enabled(run.settings.fault_proxy_redis, False)
        time.sleep(run.settings.redis_down_s)
        run.proxy.set_enabled(run.settings.fault_proxy_redis, True)
    done["up"] = time.time()
    run.mark("redis back")


def _redis_up(run: TaskPipelineRun) -> None:
    if run.settings.redis_admin_url:
        httpx.post(run.settings.redis_admin_url + "/_sandbox/redis/start", timeout=30.0).raise_for_status()
    if run.proxy is not None:
        run.proxy.set_enabled(run.settings.fault_proxy_redis, True)


def check_chaos_redis_restart(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)
    params = run.job_params(frames=max(15, run.settings.frames), step_s=max(0.1, run.settings.step_s))

    def method(journal: Journal) -> list[str]:
        times: dict[str, float] = {}
        threads: list[threading.Thread] = []

        async def on_event(event: dict[str, Any]) -> None:
            if not threads and float(event.get("progress", 0)) >= INJECT_AT_PROGRESS:
                threads.append(threading.Thread(target=_outage, args=(run, journal, times), daemon=True))
                threads[0].start()

        (target,) = run.run_tasks("chaos: redis restart", [params], on_event=on_event)
        for thread in threads:
            thread.join(90.0)
        if "up" not in times:
            return ["the task ended before Redis could be restarted (make it longer: frames/step_s)"]
        ready_after, _ = wait_ready(run, "pass", 30.0)
        seqs = [int(event["seq"]) for event in target.events]
        after_outage = [event for event, at in zip(target.events, target.arrivals, strict=False) if at > times["up"]]
        history = run.api.history(target.task_id)
        journal.observations.update(
            ws_events=len(seqs),
            ws_events_after_restart=len(after_outage),
            history_events=len(history),
            final_state=target.final_state,
            ready_again_s=None if ready_after is None else round(ready_after, 2),
        )
        ws_gaps = sorted(set(range(1, max(seqs, default=0) + 1)) - set(seqs))
        journal.observations["ws_gaps_backfilled"] = ws_gaps[:20]
        run.recovery("redis restart", "redis back -> ready pass", ready_after)
        arrived_after = [at for at in target.arrivals if at > times["up"]]
        if arrived_after:
            run.recovery("redis restart", "redis back -> first event relayed", arrived_after[0] - times["up"])
        deviations = []
        if target.terminal_event is None:
            deviations.append(
                f"the WebSocket relay went silent after Redis came back: last seq "
                f"{max(seqs, default=0)}, task ended {target.final_state} over HTTP "
                "(the subscription was not renewed)"
            )
        deviations += [f"event history: {problem}" for problem in sequence_problems(history)]
        if target.final_state != "SUCCESS":
            deviations.append(
                f"task ended {target.final_state or 'unknown'} after the restart: {target.state.get('error', '')}"
            )
        else:
            deviations += result_problems(run, target)
        if ready_after is None:
            deviations.append("/health/ready did not return to pass within 30 s of Redis coming back")
        return deviations

    experiment = Experiment(
        "restart Redis while a task runs",
        "API and workers reconnect, the relay resubscribes, no event is lost (gaps are backfilled by sequence)",
        steady_state=lambda: _steady(run),
        method=method,
        rollbacks=(("redis up", lambda: _redis_up(run)),),
        residue=lambda: _residue(run),
    )
    _record(c, run, run_experiment(experiment))


def check_chaos_redis_latency(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)
    toxiproxy = run.proxy
    if toxiproxy is None:
        c.skip("no fault proxy")
        return
    proxy, latency = run.settings.fault_proxy_redis, run.settings.chaos_latency_ms
    frames = max(5, run.settings.frames)
    params = [run.job_params(frames=frames, step_s=0.0, output_size=4096) for _ in range(2)]
    names = ("workbook_latency", "workbook_reset")

    def method(journal: Journal) -> list[str]:
        baseline = run.run_tasks("chaos: baseline", params)
        toxiproxy.add_toxic(proxy, "latency", {"latency": latency, "jitter": latency // 4}, name=names[0])
        run.mark(f"latency {latency} ms")
        journal.action("latency", latency_ms=latency, jitter_ms=latency // 4)
        slowed = run.run_tasks("chaos: latency", params)
        toxiproxy.remove_toxic(proxy, names[0])
        run.mark("latency removed")
        resets: dict[str, bool] = {}

        async def on_event(event: dict[str, Any]) -> None:
            if not resets and float(event.get("progress", 0)) >= INJECT_AT_PROGRESS:
                resets["on"] = True
                await asyncio.to_thread(toxiproxy.add_toxic, proxy, "reset_peer", {"timeout": 0}, name=names[1])
                run.mark("reset_peer")
                journal.action("reset_peer", timeout_ms=0)
                await asyncio.sleep(0.3)
                await asyncio.to_thread(toxiproxy.remove_toxic, proxy, names[1])
                run.mark("reset_peer removed")

        reset = run.run_tasks(
            "chaos: reset", [run.job_params(frames=frames, step_s=0.05, output_size=4096)], on_event=on_event
        )
        base_run = percentile([o.phases().get("run_s", float("nan")) for o in baseline], 50)
        slow_run = percentile([o.phases().get("run_s", float("nan")) for o in slowed], 50)
        added = slow_run - base_run
        journal.observations.update(
            baseline_run_s=round(base_run, 3),
            latency_run_s=round(slow_run, 3),
            added_s=round(added, 3),
            reset_injected=bool(resets),
        )
        deviations = [
            f"task {o.task_id} ended {o.final_state or 'unknown'} under {label}"
            for label, group in (("latency", slowed), ("reset_peer", reset))
            for o in group
            if o.final_state != "SUCCESS"
        ]
        # Each progress event is at least one Redis round trip: `frames` of them must show the latency.
        expected = frames * latency / 1000.0 * 0.5
        if added < expected:
            deviations.append(
                f"run time grew by {added:.3f} s under {latency} ms of Redis latency, expected at least "
                f"{expected:.3f} s: the traffic does not cross the proxy"
            )
        return deviations

    def remove_ours() -> None:
        for name in names:
            if any(toxic.get("name") == name for toxic in toxiproxy.toxics(proxy)):
                toxiproxy.remove_toxic(proxy, name)

    experiment = Experiment(
        "latency and resets on the Redis link",
        "tasks still complete under added latency and a burst of connection resets; the latency shows in run times",
        steady_state=lambda: _steady(run),
        method=method,
        rollbacks=(("remove toxics", remove_ours), ("proxy enabled", lambda: toxiproxy.set_enabled(proxy, True))),
        residue=lambda: _residue(run),
    )
    _record(c, run, run_experiment(experiment))
    sample_health(run, "ready")
