"""Checks of sections 5-6: failures (permanent, upstream retries, temp files, a large result)
and readiness (Redis unreachable, no worker consuming)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

from ..checks import CheckContext
from ._api import Observation
from ._checks_basic import result_problems
from ._inspect import component_status, health_problems, health_status
from ._run import TaskPipelineRun

# Backoff the retry policy promises between attempts on 5xx (s), and how much less we accept.
BACKOFF_S = (0.25, 0.5, 1.0, 2.0)
TIMING_SLACK = 0.8


def check_permanent_failure(c: CheckContext, run: TaskPipelineRun) -> None:
    (observation,) = run.run_tasks("permanent-failure", [run.job_params(asset="missing-asset")])
    final = observation.terminal_event or {}
    c.measure(
        task_id=observation.task_id,
        http_state=observation.final_state,
        ws_state=final.get("state"),
        error=str(observation.state.get("error", ""))[:200],
    )
    c.expect(observation.final_state == "FAILURE", f"HTTP state is {observation.final_state!r}, expected FAILURE")
    c.expect(
        "404" in str(observation.state.get("error", "")),
        f"HTTP error does not name the upstream 404: {observation.state.get('error')!r}",
    )
    c.expect(final.get("state") == "FAILURE", f"the WebSocket's last event is {final.get('state')!r}, expected FAILURE")
    c.expect(
        "404" in str(final.get("error", "")), f"the WebSocket's FAILURE event names no cause: {final.get('error')!r}"
    )
    status = run.api.http.get(f"/tasks/{observation.task_id}/result").status_code
    c.expect(status in (404, 409, 410), f"a failed task's result answered {status}, expected 404/409/410")


def _gaps(requests: list[dict[str, Any]]) -> list[float]:
    times = [float(entry["time"]) for entry in requests]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def check_upstream_retry(c: CheckContext, run: TaskPipelineRun) -> None:
    if not run.settings.upstream_admin_url:
        c.skip("no upstream_admin_url: the upstream's answers cannot be switched (sandbox only)")
    small = run.job_params(frames=2, step_s=0.0, output_size=4096)
    scenarios: list[tuple[str, dict[str, Any], Callable[[Observation, list[dict[str, Any]]], list[str]]]] = [
        ("503 twice", {"status_503": 2}, _after_503),
        ("429 with Retry-After", {"status_429": 1, "retry_after_s": 1}, _after_429),
        ("timeout", {"timeout": 1, "hang_s": 3}, _after_timeout),
        ("503 for good", {"status_503": 50}, _after_persistent_503),
    ]
    summary: dict[str, Any] = {}
    for label, switches, judge in scenarios:
        with run.upstream_answers(switches):
            (observation,) = run.run_tasks(f"upstream {label}", [small])
        requests = run.upstream_requests(observation.task_id)
        summary[label] = {
            "state": observation.final_state,
            "statuses": [entry.get("status") for entry in requests],
            "gaps_s": [round(gap, 3) for gap in _gaps(requests)],
        }
        c.expect_none(f"{label}: {problem}" for problem in judge(observation, requests))
    c.measure(**summary)


def _after_503(observation: Observation, requests: list[dict[str, Any]]) -> list[str]:
    statuses = [entry.get("status") for entry in requests]
    if observation.final_state != "SUCCESS":
        return [
            f"upstream 503 was not retried: task {observation.final_state} after {len(requests)} request(s) "
            f"{statuses} ({observation.state.get('error', '')})"
        ]
    problems = [] if statuses == [503, 503, 200] else [f"upstream saw {statuses}, expected [503, 503, 200]"]
    for index, gap in enumerate(_gaps(requests)):
        if gap < BACKOFF_S[index] * TIMING_SLACK:
            problems.append(f"retry {index + 1} came {gap:.3f} s after the 503, backoff promises {BACKOFF_S[index]} s")
    return problems


def _after_429(observation: Observation, requests: list[dict[str, Any]]) -> list[str]:
    if observation.final_state != "SUCCESS":
        return [f"task {observation.final_state} after a 429: {observation.state.get('error', '')}"]
    rate_limited = [entry for entry in requests if entry.get("status") == 429]
    if not rate_limited:
        return ["the upstream never answered 429"]
    wanted = float(rate_limited[0].get("retry_after_s", 1))
    gap = _gaps(requests)[0] if len(requests) > 1 else 0.0
    if gap < wanted * 0.95:
        return [f"retried {gap:.3f} s after a 429 with Retry-After: {wanted:g}: Retry-After was ignored"]
    return []


def _after_timeout(observation: Observation, requests: list[dict[str, Any]]) -> list[str]:
    if observation.final_state != "SUCCESS":
        return [f"task {observation.final_state} after an upstream timeout: {observation.state.get('error', '')}"]
    return [] if len(requests) >= 2 else [f"the hung request was not retried ({len(requests)} request)"]


def _after_persistent_503(observation: Observation, requests: list[dict[str, Any]]) -> list[str]:
    problems = []
    if observation.final_state != "FAILURE":
        problems.append(f"an upstream that never recovers left the task {observation.final_state!r}, expected FAILURE")
    if (observation.terminal_event or {}).get("state") != "FAILURE":
        problems.append("no FAILURE event over the WebSocket after retries ran out")
    if len(requests) < 2:
        problems.append(f"upstream 503 was not retried: {len(requests)} request(s) before giving up")
    return problems


def check_temp_cleanup(c: CheckContext, run: TaskPipelineRun) -> None:
    if not run.settings.temp_dir:
        c.skip("no temp_dir: the workers' temp folder is not visible from here")
    observed = run.run_tasks("temp-cleanup", [run.job_params(frames=2, step_s=0.0), run.job_params(asset="missing-x")])
    root = Path(run.settings.temp_dir)
    ids = {observation.task_id for observation in observed} | set(run.task_ids())
    left = sorted(path.name for path in root.iterdir() if _task_of(path.name) in ids)
    c.measure(temp_dir=str(root), tasks_checked=len(ids), left_behind=left[:10])
    c.expect(not left, f"{len(left)} temp folder(s) left behind by finished tasks: {left[:3]}")


def _task_of(folder: str) -> str:
    """`<task uuid>-<attempt>` -> the task id."""
    return folder.rsplit("-", 1)[0]


def check_large_result(c: CheckContext, run: TaskPipelineRun) -> None:
    size = run.settings.large_result_bytes
    (observation,) = run.run_tasks("large-result", [run.job_params(frames=8, step_s=0.0, output_size=size)])
    api_process = _local_listener(run.settings.api_base_url)
    before = api_process.memory_info().rss if api_process else 0
    download = run.api.download(observation.task_id)
    growth = (api_process.memory_info().rss - before) if api_process else None
    c.expect_none(result_problems(run, observation, download))
    c.measure(
        bytes=size,
        download_s=round(download.total_s, 3),
        first_byte_s=round(download.first_byte_s, 4),
        mb_per_s=round(size / 1e6 / max(download.total_s, 1e-9), 1),
        api_rss_growth_bytes=growth,
    )
    c.expect(
        download.content_type.startswith("application/octet-stream"), f"result content type {download.content_type!r}"
    )
    if growth is not None:
        c.expect(growth < size / 2, f"the API grew by {growth} bytes serving a {size}-byte result: it is not streamed")


def _local_listener(base_url: str) -> psutil.Process | None:
    """The process listening on the API's port, when the API runs on this machine."""
    url = httpx.URL(base_url)
    if url.host not in ("127.0.0.1", "localhost"):
        return None
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == url.port and conn.pid:
                return psutil.Process(conn.pid)
    except (psutil.AccessDenied, psutil.NoSuchProcess):
        return None
    return None


# --- section 6: readiness ---------------------------------------------------------------------


def sample_health(run: TaskPipelineRun, which: str) -> tuple[str, list[str]]:
    response = run.api.health(which)
    try:
        body = response.json()
    except ValueError:
        body = None
    problems = health_problems(response.status_code, response.headers.get("content-type", ""), body)
    status = health_status(body) if isinstance(body, dict) else ""
    run.health_samples.append(
        {
            "time": time.time(),
            "which": which,
            "http": response.status_code,
            "status": status,
            "redis": component_status(body, "redis:responseTime") if body else "",
            "workers": component_status(body, "workers:consuming") if body else "",
        }
    )
    return status, [f"/health/{which}: {problem}" for problem in problems]


def wait_ready(run: TaskPipelineRun, want: str, timeout_s: float) -> tuple[float | None, list[str]]:
    """Poll readiness until it says `want`; (seconds taken or None, shape problems seen)."""
    started = time.monotonic()
    problems: list[str] = []
    while time.monotonic() - started < timeout_s:
        status, found = sample_health(run, "ready")
        problems += [problem for problem in found if problem not in problems]
        if status == want:
            return time.monotonic() - started, problems
        time.sleep(0.1)
    return None, problems


def refused(address: str) -> bool:
    """True if nothing accepts connections at host:port (checked here, not asked of the API)."""
    import socket

    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=1.0):
            return False
    except OSError:
        return True


def check_readiness(c: CheckContext, run: TaskPipelineRun) -> None:
    toxiproxy = run.proxy
    if not run.settings.chaos_ready or toxiproxy is None:
        c.skip("making Redis unreachable needs fault_proxy_url and chaos_enabled")
        return
    proxy_name = run.settings.fault_proxy_redis
    live, problems = sample_health(run, "live")
    c.expect(live == "pass", f"/health/live is {live!r} before any fault")
    took, found = wait_ready(run, "pass", run.settings.ready_timeout_s)
    c.expect(took is not None, "/health/ready is not pass before any fault")
    c.expect_none(problems + found)
    listen = toxiproxy.proxy(proxy_name)["listen"]
    lives: list[str] = []
    try:
        toxiproxy.set_enabled(proxy_name, False)
        run.mark("redis link down")
        down_at = time.monotonic()
        c.expect(refused(listen), f"Redis at {listen} still accepts connections with the proxy down")
        to_fail, found = wait_ready(run, "fail", run.settings.ready_timeout_s)
        c.expect_none(found)
        for _ in range(3):
            lives.append(sample_health(run, "live")[0])
        outage_s = time.monotonic() - down_at
    finally:
        toxiproxy.set_enabled(proxy_name, True)
        run.mark("redis link up")
    to_pass, found = wait_ready(run, "pass", 30.0)
    c.expect_none(found)
    run.recovery("readiness", "ready fail after Redis unreachable", to_fail)
    run.recovery("readiness", "ready pass after Redis back", to_pass)
    c.measure(
        ready_fail_after_s=to_fail, ready_pass_after_s=to_pass, live_during_outage=lives, outage_s=round(outage_s, 2)
    )
    c.expect(
        to_fail is not None,
        f"/health/ready still said pass {outage_s:.1f} s after Redis became unreachable (it does not check Redis)",
    )
    c.expect(
        all(status == "pass" for status in lives),
        f"/health/live went {lives} during a Redis outage: liveness must not depend on Redis (a restart cannot fix it)",
    )
    c.expect(to_pass is not None, "/health/ready did not return to pass within 30 s after Redis came back")


def check_stuck_task(c: CheckContext, run: TaskPipelineRun) -> None:
    if not run.settings.chaos_enabled:
        c.skip("taking every worker off the queue needs chaos_enabled")
    names, queue = run.settings.worker_names, run.settings.queue
    body: dict[str, Any] = {}
    run.control.cancel_consumer(queue, names)
    run.mark("no consumer")
    try:
        task = run.api.submit(run.settings.job_type, run.job_params(frames=1, step_s=0.0))
        started = time.monotonic()
        while time.monotonic() - started < 15.0:
            body = run.api.state(task["task_id"])
            if body.get("stuck") or body.get("state") != "PENDING":
                break
            time.sleep(0.2)
        reported_s = time.monotonic() - started
        ready, _ = sample_health(run, "ready")
    finally:
        run.control.add_consumer(queue, names)
        run.mark("consumers back")
    deadline = time.monotonic() + run.settings.task_timeout_s
    while time.monotonic() < deadline and run.api.state(task["task_id"]).get("state") != "SUCCESS":
        time.sleep(0.2)
    final = run.api.state(task["task_id"])
    c.measure(
        stuck_reported_after_s=round(reported_s, 2),
        stuck_reason=body.get("stuck_reason", ""),
        ready_while_stuck=ready,
        final_state=final.get("state"),
    )
    c.expect(body.get("state") == "PENDING", f"with no worker consuming the task went {body.get('state')!r}")
    c.expect(
        bool(body.get("stuck")),
        f"the task stayed PENDING for {reported_s:.1f} s with no worker consuming and was never reported stuck",
    )
    c.expect(ready == "fail", f"/health/ready said {ready!r} while no worker consumed the queue")
    c.expect(final.get("state") == "SUCCESS", f"after consumers came back the task is {final.get('state')!r}")
