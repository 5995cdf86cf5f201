"""The platform as a client sees it, through its dialect: creating tasks within the rate limit,
following one over its WebSocket (whole records, heartbeats ignored, closed by us after the
terminal record) while polling its HTTP status so a silent socket cannot hang a check, and
downloading its result."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

from ..connect import ServiceProfile
from ._dialect import TERMINAL, Canonical, Created, TaskDialect
from ._pacer import CreationPacer

OnRecord = Callable[[dict[str, Any]], Awaitable[None]]
MAX_429 = 5


@dataclass
class Follow:
    """One task as observed: WebSocket records with arrival times, and its last HTTP record."""

    task_id: str
    package_url: str
    created_at: float
    records: list[dict[str, Any]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    heartbeats: int = 0
    error_frames: list[dict[str, Any]] = field(default_factory=list)
    foreign: list[Any] = field(default_factory=list)
    handshake: str = ""
    ws_url: str = ""
    ws_error: str = ""
    ws_terminal: bool = False
    server_closed: str = ""
    final: dict[str, Any] = field(default_factory=dict)
    final_state: Canonical = "unknown"
    http_terminal_at: float = 0.0
    timed_out: bool = False
    finished_at: float = 0.0

    @property
    def ws_missed_terminal(self) -> bool:
        return self.final_state in TERMINAL and not self.ws_terminal


@dataclass
class Download:
    status: int
    content: bytes
    content_type: str
    seconds: float


class TaskClient:
    def __init__(self, dialect: TaskDialect, platform: ServiceProfile, pacer: CreationPacer) -> None:
        self.dialect = dialect
        if not platform.ws_url:  # the platform serves its WebSocket on the API's port: ws(s):// of `url`
            platform = platform.model_copy(update={"ws_url": "ws" + platform.http_url().removeprefix("http")})
        self.platform = platform
        self.pacer = pacer
        self.http: httpx.Client = platform.http_client()

    def close(self) -> None:
        self.http.close()

    def create(self, package_url: str) -> Created:
        """Create a task, pacing creations; a 429 is waited out (Retry-After) and tried again."""
        for _ in range(MAX_429 + 1):
            self.pacer.before_create()
            created = self.dialect.create(self.http, package_url)
            if created.status_code != 429:
                return created
            within = self.pacer.in_window() <= self.pacer.limit
            time.sleep(self.pacer.after_429(created.retry_after_s, within))
        return created

    def record(self, task_id: str) -> dict[str, Any] | None:
        response = self.dialect.status(self.http, task_id)
        if response.status_code != 200:
            return None
        body = response.json()
        return body if isinstance(body, dict) else None

    def download(self, task_id: str) -> Download:
        started = time.perf_counter()
        response = self.dialect.download(self.http, task_id)
        return Download(
            response.status_code,
            response.content,
            response.headers.get("content-type", ""),
            time.perf_counter() - started,
        )

    async def follow(
        self, task_id: str, package_url: str, *, timeout_s: float, grace_s: float, on_record: OnRecord | None = None
    ) -> Follow:
        """Until the WebSocket's terminal record, or HTTP says the task ended and `grace_s` passed
        without one (or the socket is gone), or `timeout_s`."""
        seen = Follow(task_id, package_url, time.time())
        socket_task = asyncio.create_task(self.watch(seen, on_record))
        started = time.monotonic()
        async with self.platform.async_http_client(timeout=10.0) as client:
            while True:
                await self._poll(client, seen)
                if seen.ws_terminal or seen.foreign:
                    break
                ended = seen.http_terminal_at
                if ended and (socket_task.done() or time.monotonic() - ended > grace_s):
                    break
                if time.monotonic() - started > timeout_s:
                    seen.timed_out = True
                    break
                await asyncio.sleep(0.1)
            socket_task.cancel()
            await asyncio.gather(socket_task, return_exceptions=True)
            await self._poll(client, seen)
        seen.finished_at = time.time()
        return seen

    async def _poll(self, client: httpx.AsyncClient, seen: Follow) -> None:
        try:
            response = await client.get(self.dialect.status_path(seen.task_id))
        except httpx.HTTPError:
            return  # the API may be briefly unreachable during a fault
        if response.status_code == 200:
            seen.final = response.json()
            seen.final_state = self.dialect.state(seen.final)
            if seen.final_state in TERMINAL and not seen.http_terminal_at:
                seen.http_terminal_at = time.monotonic()

    async def watch(self, seen: Follow, on_record: OnRecord | None) -> None:
        """Open the task's WebSocket and record what it sends, until its terminal record or close."""
        url = self.platform.ws_target(self.dialect.ws_path(seen.task_id))
        options = {**self.platform.ws_connect_kwargs(url), "ping_interval": None, "max_size": None}
        try:
            async with connect(url, **options) as socket:
                seen.handshake = "101"
                async for message in socket:
                    try:
                        frame = json.loads(message)
                    except ValueError:
                        frame = str(message)[:200]
                    kind = self.dialect.frame_kind(frame, seen.task_id)
                    if kind == "heartbeat":
                        seen.heartbeats += 1
                    elif kind == "error":
                        seen.error_frames.append(frame)
                    elif kind == "foreign":
                        seen.foreign.append(frame)  # not this dialect: end the exchange at once
                        seen.ws_url = url
                        return
                    else:
                        seen.records.append(frame)
                        seen.arrivals.append(time.time())
                        if on_record is not None:
                            await on_record(frame)
                        if self.dialect.state(frame) in TERMINAL:
                            seen.ws_terminal = True
                            return  # we close; the platform never does after the terminal record
                seen.server_closed = f"{socket.close_code} {socket.close_reason}".strip()
        except InvalidStatus as error:
            seen.handshake = str(error.response.status_code)
        except (OSError, WebSocketException, TimeoutError) as error:
            seen.ws_error = f"{type(error).__name__}: {error}"

    async def run(
        self, package_urls: list[str], *, timeout_s: float, grace_s: float, on_record: OnRecord | None = None
    ) -> list[Follow]:
        """Create every task (paced), then follow them all at once."""
        created = []
        for url in package_urls:
            answer = await asyncio.to_thread(self.create, url)
            if not answer.task_id:
                raise AssertionError(
                    f"creating a task for {url} answered {answer.status_code}: {str(answer.body)[:200]}"
                )
            created.append((answer.task_id, url))
        return list(
            await asyncio.gather(
                *(
                    self.follow(task_id, url, timeout_s=timeout_s, grace_s=grace_s, on_record=on_record)
                    for task_id, url in created
                )
            )
        )
