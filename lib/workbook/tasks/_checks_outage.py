"""Health and liveness while Redis is stalled or gone, and the WebSocket during a Redis outage.

The platform's /health answers HTTP 200 whatever it finds, with "healthy" or "unhealthy" in the
body: it is read by its body. A stalled link (data held, nothing answered: Toxiproxy's `timeout`
toxic with timeout 0) is the case that freezes an API calling Redis on its event loop.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

import httpx

from ..checks import CheckContext
from ..health import read_health
from ..runtime import run_sync
from ._client import Follow
from ._run import TaskPipelineRun

STALL_TOXIC = "workbook_stall"


def _health(run: TaskPipelineRun, timeout_s: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        response = run.dialect.health(run.client.http, timeout_s)
        body: Any = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        reading = read_health(body)
        answer = {"http": response.status_code, "body": body, "verdict": reading.verdict, "words": reading.words}
    except httpx.TimeoutException:
        answer = {"http": None, "body": None, "verdict": "no answer"}
    except httpx.TransportError as error:
        # Also reached from the stall check's background thread, which may outlive its join: an
        # exception there must land in the answer, never escape the thread.
        answer = {"http": None, "body": None, "verdict": "no answer", "error": f"{type(error).__name__}: {error}"}
    answer["seconds"] = round(time.perf_counter() - started, 3)
    return answer


def check_health(c: CheckContext, run: TaskPipelineRun) -> None:
    answer = _health(run, run.settings.health_budget_s * 5)
    c.measure(**answer)
    c.expect(answer["http"] == 200, f"/health answered HTTP {answer['http']}")
    c.expect(answer["verdict"] == "pass", f"/health says {answer['body']} with everything up")


def _require_chaos(c: CheckContext, run: TaskPipelineRun) -> None:
    if not run.settings.chaos_ready or run.proxy is None:
        c.skip("stalling or cutting the Redis link needs fault_proxy_url and chaos_enabled")


def _get(run: TaskPipelineRun, path: str, timeout_s: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        status: int | str = run.client.http.get(path, timeout=timeout_s).status_code
    except httpx.TimeoutException:
        status = "no answer"
    return {"path": path, "status": status, "seconds": round(time.perf_counter() - started, 3)}


def check_liveness(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)
    assert run.proxy is not None
    proxy, budget = run.settings.fault_proxy_redis, run.settings.health_budget_s
    before = _health(run, budget * 5)
    c.expect(before["verdict"] == "pass", f"/health is not healthy before any fault: {before['body']}")
    stalled: dict[str, Any] = {}
    try:
        run.proxy.add_toxic(proxy, "timeout", {"timeout": 0}, name=STALL_TOXIC)
        run.mark("redis link stalled")
        health_thread = threading.Thread(target=lambda: stalled.update(_health(run, budget * 3)), daemon=True)
        health_thread.start()
        time.sleep(0.2)
        others = [_get(run, path, budget) for path in run.dialect.unrelated_paths]
        health_thread.join(budget * 4)
        run.proxy.set_enabled(proxy, False)
        run.mark("redis link down")
        down = _health(run, budget * 3)
    finally:
        with contextlib.suppress(Exception):
            run.proxy.remove_toxic(proxy, STALL_TOXIC)
        run.proxy.set_enabled(proxy, True)
        run.mark("redis link back")
    back = _wait_healthy(run, 30.0)
    c.measure(before=before, stalled_health=stalled, unrelated=others, link_down_health=down, healthy_again_s=back)
    for answer in others:
        c.expect(
            answer["status"] != "no answer" and answer["seconds"] <= budget,
            f"a stalled Redis link froze GET {answer['path']} ({answer['status']} after {answer['seconds']} s, budget "
            f"{budget:g} s): the API waits on Redis where no Redis is needed",
        )
    c.expect(
        stalled.get("verdict") in ("fail", "warn"),
        f"with the Redis link stalled /health said {stalled.get('body')} ({stalled.get('verdict')}) after "
        f"{stalled.get('seconds')} s: it does not report the outage in time",
    )
    c.expect(down["verdict"] in ("fail", "warn"), f"with the Redis link down /health said {down['body']}")
    c.expect(back is not None, "/health did not say healthy again within 30 s of the link coming back")


def _wait_healthy(run: TaskPipelineRun, timeout_s: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if _health(run, 2.0)["verdict"] == "pass":
            return round(time.monotonic() - started, 3)
        time.sleep(0.2)
    return None


def check_ws_redis_down(c: CheckContext, run: TaskPipelineRun) -> None:
    _require_chaos(c, run)
    assert run.proxy is not None
    created = run.client.create(run.package_url("ws-outage", 0))  # its record exists: the socket is for it
    if not created.task_id:
        c.fail(f"creating a task answered {created.status_code}: {str(created.body)[:200]}")
    known = created.task_id
    run.wait_terminal(known, run.settings.task_timeout_s)  # no job running while the link is cut
    proxy = run.settings.fault_proxy_redis
    seen = Follow(known, "", time.time())
    try:
        run.proxy.set_enabled(proxy, False)
        run.mark("redis link down (WebSocket)")
        run_sync(_open_briefly(run, seen), timeout_s=30, what="WebSocket during a Redis outage")
    finally:
        run.proxy.set_enabled(proxy, True)
        run.mark("redis link back")
    c.measure(
        handshake=seen.handshake or seen.ws_error,
        error_frames=seen.error_frames[:3],
        records=len(seen.records),
        closed=seen.server_closed,
    )
    c.expect(
        not seen.handshake.startswith("5"),
        f"the WebSocket handshake answered HTTP {seen.handshake} while Redis was down: expected a clean refusal "
        "(a 4xx/503 handshake) or an error event",
    )
    if seen.handshake == "101":
        c.expect(
            bool(seen.error_frames) or seen.server_closed.startswith(("1011", "1013", "1008")),
            f"the WebSocket was accepted while Redis was down and said nothing of it (closed: {seen.server_closed!r})",
        )


async def _open_briefly(run: TaskPipelineRun, seen: Follow) -> None:
    import asyncio

    task = asyncio.create_task(run.client.watch(seen, None))
    done, _ = await asyncio.wait({task}, timeout=5.0)
    if not done:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
