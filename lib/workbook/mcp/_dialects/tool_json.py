"""`tool-json`: the movie brain's own WebSocket dialect (jomapps/mcp-brain-service, main.py:172-335).

One flat JSON object per frame, `{"tool": NAME, <arguments at top level>}`, answered by exactly one
`{"status": "success", ...}` or `{"status": "error", "message": ...}` frame. There are no request
ids, so one connection carries one exchange at a time, in order (the real server handles frames
one by one); the next frame after a request IS its reply. A reply that is valid JSON but not this
envelope (no `status`, or a JSON-RPC object) raises `McpDialectError` at once, quoting it.
No handshake, no tool listing. The client offers no subprotocol (the real brain selects none).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Mapping
from typing import Any, Self

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from .._brain import BrainSession, BrainTools, RawReply
from .._client import ToolCallResult
from .._errors import (
    McpConnectionClosedError,
    McpDialectError,
    McpProtocolError,
    McpResultShapeError,
    McpTimeoutError,
    McpToolError,
)
from .._settings import ConnectionSettings
from .._shapes import describe_shape
from .._wire import open_websocket

NAME = "tool-json"
DEFAULT_TOOLS = BrainTools()
STATUSES = ("success", "error")


def is_reply(frame: Any) -> bool:
    """A frame in this dialect's envelope: an object with `status` success|error, no `jsonrpc`."""
    return isinstance(frame, dict) and frame.get("status") in STATUSES and "jsonrpc" not in frame


class ToolJsonSession(BrainSession):
    dialect = NAME
    liveness = "an empty object {}"

    def __init__(self, connection: ClientConnection, url: str, connect_s: float, tools: BrainTools, timeout_s: float):
        super().__init__(url, connect_s, tools)
        self.connection = connection
        self.timeout_s = timeout_s
        self.frames: deque[Any] = deque(maxlen=20)
        self._sent = 0
        self._lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def connect(cls, settings: ConnectionSettings, tools: BrainTools) -> Self:
        connection, connect_s = await open_websocket(settings, subprotocols=())
        return cls(connection, settings.ws_url, connect_s, tools, settings.message_timeout_s)

    @classmethod
    def adopt(
        cls, connection: ClientConnection, settings: ConnectionSettings, tools: BrainTools, connect_s: float
    ) -> Self:
        """A session on a connection auto-detection already opened."""
        return cls(connection, settings.ws_url, connect_s, tools, settings.message_timeout_s)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def messages_sent(self) -> int:
        return self._sent

    async def exchange(self, text: str, *, timeout_s: float | None = None, what: str = "frame") -> Any:
        """Send one frame and return the next frame the server sends (parsed JSON, or the text).

        Raises McpTimeoutError when none comes in time, McpConnectionClosedError when the
        connection ends first."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        async with self._lock:
            if self._closed:
                raise McpConnectionClosedError(what, None, "closed earlier")
            try:
                await self.connection.send(text)
                self._sent += 1
                raw = await asyncio.wait_for(self.connection.recv(), timeout=timeout)
            except TimeoutError as error:
                # The stream is out of step now (a late reply would answer the next request): close it.
                await self.close()
                raise McpTimeoutError(what, None, timeout) from error
            except ConnectionClosed as closed:
                self._closed = True
                frame = closed.rcvd
                raise McpConnectionClosedError(
                    what, frame.code if frame else None, frame.reason if frame else ""
                ) from None
        try:
            frame_value: Any = json.loads(raw)
        except ValueError:
            frame_value = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        self.frames.append(frame_value)
        return frame_value

    def _expect_reply(self, frame: Any) -> dict[str, Any]:
        if not is_reply(frame):
            if isinstance(frame, str):
                raise McpProtocolError(f"the brain answered with text that is not JSON: {frame[:200]!r}")
            raise McpDialectError(self.url, NAME, frame, tuple(self.frames))
        return dict(frame)

    async def call_tool(
        self, name: str, arguments: Mapping[str, Any], *, raise_on_error: bool = True
    ) -> ToolCallResult:
        started = time.perf_counter()
        reply = self._expect_reply(await self.exchange(json.dumps({"tool": name, **arguments}), what=name))
        latency = time.perf_counter() - started
        is_error = reply["status"] == "error"
        text = str(reply.get("message", "")) if is_error else ""
        data = {key: value for key, value in reply.items() if key != "status"}
        call = ToolCallResult(name, is_error, [{"type": "text", "text": text}] if text else [], data, latency, reply)
        if is_error and raise_on_error:
            raise McpToolError(name, text)
        return call

    async def create_character(self, project_id: str, name: str, personality: str, appearance: str) -> str:
        tools = self.tools
        call = await self.call_tool(
            tools.create_tool, tools.create_arguments(project_id, name, personality, appearance)
        )
        field = tools.created_id_field or "character_id"
        value = call.data.get(field) if isinstance(call.data, dict) else None
        if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
            raise McpResultShapeError(tools.create_tool, f"no {field!r} in {describe_shape(call.data)}")
        return str(value)

    async def find_similar(self, project_id: str, query: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        tools = self.tools
        call = await self.call_tool(tools.find_tool, tools.find_arguments(project_id, query, limit))
        items = call.data.get(tools.results_field) if isinstance(call.data, dict) else None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise McpResultShapeError(
                tools.find_tool, f"no list {tools.results_field!r} in {describe_shape(call.data)}"
            )
        return [dict(item) for item in items]

    async def send_raw(self, text: str, *, timeout_s: float) -> RawReply:
        try:
            frame = await self.exchange(text, timeout_s=timeout_s, what="raw frame")
        except McpTimeoutError:
            return RawReply("no_reply")
        except McpConnectionClosedError:
            return RawReply("connection_closed")
        reply = self._expect_reply(frame)
        error = reply["status"] == "error"
        return RawReply("reply", reply, error, None, str(reply.get("message", "")) if error else None)

    async def still_answers(self, *, timeout_s: float) -> bool:
        """An empty object must still get its `Missing 'tool' field` error (any reply in the envelope)."""
        if self._closed:
            return False
        try:
            return is_reply(await self.exchange("{}", timeout_s=timeout_s, what="liveness frame"))
        except (McpTimeoutError, McpConnectionClosedError):
            return False

    async def close(self) -> None:
        self._closed = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.connection.close(), timeout=2.0)
