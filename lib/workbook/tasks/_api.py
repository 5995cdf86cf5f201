"""The task API as a client sees it: HTTP calls, and following one task over WebSocket while
polling its HTTP state, so a silent socket cannot hang a check."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

from ._inspect import TERMINAL

OnEvent = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Download:
    status: int
    sha256: str
    size: int
    first_byte_s: float
    total_s: float
    content_type: str


@dataclass
class Observation:
    """One task as observed: WebSocket events with arrival times, and its final HTTP state."""

    task_id: str
    submitted_at: float
    events: list[dict[str, Any]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    ws_error: str = ""
    timed_out: bool = False
    finished_at: float = 0.0

    @property
    def final_state(self) -> str:
        return str(self.state.get("state", ""))

    @property
    def terminal_event(self) -> dict[str, Any] | None:
        terminal = [event for event in self.events if event.get("state") in TERMINAL]
        return terminal[-1] if terminal else None

    def phases(self) -> dict[str, float]:
        """Queue wait (submitted -> last attempt started) and run time (started -> terminal), from events."""
        starts = [event for event in self.events if event.get("state") == "STARTED"]
        end = self.terminal_event
        if not starts or end is None:
            return {}
        first, last = starts[0], starts[-1]
        submitted = float(self.state.get("submitted_at", self.submitted_at))  # the API's clock
        return {
            "queue_wait_s": round(float(first["time"]) - submitted, 4),
            "run_s": round(float(end["time"]) - float(last["time"]), 4),
            "total_s": round(float(end["time"]) - submitted, 4),
        }


class TaskApi:
    def __init__(self, base_url: str, ws_base: str, *, timeout_s: float = 30.0) -> None:
        self.base_url = base_url
        self.ws_base = ws_base
        self.timeout_s = timeout_s
        self.http = httpx.Client(base_url=base_url, timeout=timeout_s)

    def close(self) -> None:
        self.http.close()

    def submit(self, job_type: str, params: dict[str, Any], correlation_id: str = "") -> dict[str, Any]:
        response = self.http.post("/tasks", json={"type": job_type, "params": params, "correlation_id": correlation_id})
        response.raise_for_status()
        return dict(response.json())

    def state(self, task_id: str) -> dict[str, Any]:
        response = self.http.get(f"/tasks/{task_id}")
        response.raise_for_status()
        return dict(response.json())

    def history(self, task_id: str, after: int = 0) -> list[dict[str, Any]]:
        response = self.http.get(f"/tasks/{task_id}/events", params={"after": after})
        response.raise_for_status()
        return list(response.json()["events"])

    def jobs(self) -> list[dict[str, Any]]:
        return list(self.http.get("/jobs").json()["jobs"])

    def health(self, which: str) -> httpx.Response:
        return self.http.get(f"/health/{which}", timeout=5.0)

    def download(self, task_id: str) -> Download:
        """Stream the result, hashing as it arrives (nothing held in memory)."""
        digest, size = hashlib.sha256(), 0
        started = time.perf_counter()
        first = 0.0
        with self.http.stream("GET", f"/tasks/{task_id}/result") as response:
            for chunk in response.iter_bytes(1 << 16):
                if not first:
                    first = time.perf_counter() - started
                digest.update(chunk)
                size += len(chunk)
            return Download(
                response.status_code,
                digest.hexdigest(),
                size,
                first,
                time.perf_counter() - started,
                response.headers.get("content-type", ""),
            )

    async def observe(
        self,
        task_id: str,
        submitted_at: float,
        *,
        timeout_s: float,
        grace_s: float = 2.0,
        on_event: OnEvent | None = None,
    ) -> Observation:
        """Follow `task_id` over WebSocket until its terminal event, or until HTTP says it ended
        and `grace_s` passed without one, or `timeout_s`."""
        seen = Observation(task_id, submitted_at)
        done = asyncio.Event()

        async def follow() -> None:
            try:
                async with websockets.connect(f"{self.ws_base}/ws/tasks/{task_id}", open_timeout=10) as socket:
                    async for message in socket:
                        event = json.loads(message)
                        seen.events.append(event)
                        seen.arrivals.append(time.time())
                        if on_event is not None:
                            await on_event(event)
                        if event.get("state") in TERMINAL:
                            done.set()
                            return
            except (OSError, websockets.WebSocketException) as error:
                seen.ws_error = f"{type(error).__name__}: {error}"

        async def poll() -> None:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=10.0) as client:
                ended_at = None
                while not done.is_set():
                    try:
                        state = (await client.get(f"/tasks/{task_id}")).json()
                        seen.state = state
                        if state.get("state") in TERMINAL and ended_at is None:
                            ended_at = time.monotonic()
                    except (httpx.HTTPError, ValueError):
                        pass  # the API may be briefly unreachable during a chaos step
                    if ended_at is not None and time.monotonic() - ended_at > grace_s:
                        return
                    await asyncio.sleep(0.2)

        follower = asyncio.create_task(follow())
        poller = asyncio.create_task(poll())
        try:
            await asyncio.wait_for(asyncio.wait({follower, poller}, return_when=asyncio.FIRST_COMPLETED), timeout_s)
        except TimeoutError:
            seen.timed_out = True
        finally:
            for task in (follower, poller):
                task.cancel()
            await asyncio.gather(follower, poller, return_exceptions=True)
        seen.finished_at = time.time()
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=10.0) as client:
                seen.state = (await client.get(f"/tasks/{task_id}")).json()
        except (httpx.HTTPError, ValueError):
            pass
        return seen

    async def run_tasks(
        self,
        job_type: str,
        params_list: list[dict[str, Any]],
        *,
        timeout_s: float,
        on_event: OnEvent | None = None,
    ) -> list[Observation]:
        """Submit every task, then follow them all at once."""
        submitted = []
        for params in params_list:
            body = await asyncio.to_thread(self.submit, job_type, params)
            submitted.append((body["task_id"], time.time()))
        return list(
            await asyncio.gather(
                *(self.observe(task_id, at, timeout_s=timeout_s, on_event=on_event) for task_id, at in submitted)
            )
        )
