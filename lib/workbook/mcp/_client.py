"""A minimal MCP JSON-RPC 2.0 client over one WebSocket connection (asyncio, `websockets`).

Requests are multiplexed by id: a reader task resolves one future per outstanding id, so several
requests may be in flight on one connection, as MCP clients do. A message that carries a
`method` is never a reply to one of ours: a notification (e.g. the SDK's `notifications/message`
log lines) is recorded, a request from the server is answered (`ping` with an empty result, as
the spec requires; anything else with -32601) and recorded. JSON-RPC replies that match no
outstanding id (a parse-error reply with `id: null`) go to a queue that `send_raw` reads.

A frame that is valid JSON but not JSON-RPC at all (an object without `jsonrpc` and `method`,
e.g. the movie brain's `{"status": "error", "message": ...}`) means the server speaks another
dialect: every outstanding request fails AT ONCE with `McpDialectError` quoting that frame, and
so does every later one on this connection (never queued unseen and waited out as a timeout).
Every wait is bounded by the per-message timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from ._errors import (
    McpConnectionClosedError,
    McpDialectError,
    McpProtocolError,
    McpRpcError,
    McpTimeoutError,
    McpToolError,
)
from ._settings import ConnectionSettings
from ._shapes import tool_data
from ._wire import open_websocket

CLIENT_INFO = {"name": "workbook-mcp-probe", "version": "0.1.0"}
DIALECT = "mcp-jsonrpc"
METHOD_NOT_FOUND = -32601
# Server messages kept per connection (a chatty server must not grow memory without bound).
SERVER_MESSAGES_KEPT = 1000


@dataclass(frozen=True)
class ToolCallResult:
    """The result of `tools/call`; `data` is what the tool returned, read from any of the shapes
    correct servers produce (see `_shapes.tool_data`)."""

    tool: str
    is_error: bool
    content: list[dict[str, Any]]
    data: Any
    latency_s: float
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(str(item.get("text", "")) for item in self.content if item.get("type") == "text")


class McpClient:
    """One WebSocket connection speaking MCP. Open with `await McpClient.open(url)` or `async with`.

    `connect_s` is the time the WebSocket opening handshake (TCP + HTTP upgrade) took.
    """

    def __init__(self, connection: ClientConnection, ws_url: str, connect_s: float, message_timeout_s: float):
        self.connection = connection
        self.ws_url = ws_url
        self.connect_s = connect_s
        self.message_timeout_s = message_timeout_s
        self.messages_sent = 0
        self.initialize_result: dict[str, Any] | None = None
        # Notifications and requests the server sent (method names, a log line's level in brackets).
        self.server_messages: deque[str] = deque(maxlen=SERVER_MESSAGES_KEPT)
        self.server_pings_answered = 0
        self._ids = itertools.count(1)
        self._pending: dict[int | str, asyncio.Future[dict[str, Any]]] = {}
        self._unmatched: asyncio.Queue[dict[str, Any] | str] = asyncio.Queue(maxsize=1000)
        self._closed_error: ConnectionClosed | None = None
        # Every frame the server sent (bounded), and the first one in another dialect's envelope.
        self.frames: deque[Any] = deque(maxlen=20)
        self.mismatch: McpDialectError | None = None
        self._reader = asyncio.get_running_loop().create_task(self._read_loop())

    @classmethod
    async def open(
        cls,
        ws_url: str,
        *,
        open_timeout_s: float = 5.0,
        message_timeout_s: float = 5.0,
        subprotocols: tuple[str, ...] = ("mcp",),
        compression: str | None = "deflate",
        headers: dict[str, str] | None = None,
    ) -> McpClient:
        settings = ConnectionSettings.of(
            ws_url=ws_url,
            open_timeout_s=open_timeout_s,
            message_timeout_s=message_timeout_s,
            subprotocols=subprotocols,
            compression=compression,
            headers=dict(headers or {}),
        )
        connection, connect_s = await open_websocket(settings)
        return cls(connection, ws_url, connect_s, message_timeout_s)

    async def __aenter__(self) -> McpClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        return self._closed_error is not None or self._reader.done()

    async def detach(self) -> ClientConnection:
        """Stop reading and hand the open connection over (auto-detection found another dialect)."""
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader
        return self.connection

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.connection.close(), timeout=2.0)
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader

    async def _read_loop(self) -> None:
        try:
            async for raw in self.connection:
                try:
                    message = json.loads(raw)
                except ValueError:
                    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
                    self.frames.append(text)
                    self._offer(text)
                    continue
                self.frames.append(message)
                if isinstance(message, dict) and "method" in message:
                    await self._from_server(message)
                    continue
                if not _is_jsonrpc(message):
                    self._another_dialect(message)
                    continue
                request_id = message.get("id") if isinstance(message, dict) else None
                future = self._pending.pop(request_id, None) if request_id is not None else None
                if future is not None:
                    if not future.done():
                        future.set_result(message)
                else:
                    self._offer(message)
        except ConnectionClosed as closed:
            self._closed_error = closed
        finally:
            if self._closed_error is None:
                self._closed_error = ConnectionClosed(None, None)
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(self._closed_exception("pending request"))
            self._pending.clear()

    def _another_dialect(self, message: Any) -> None:
        """A reply in another envelope: fail what is outstanding now, and everything later."""
        if self.mismatch is None:
            self.mismatch = McpDialectError(self.ws_url, DIALECT, message, tuple(self.frames))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(self.mismatch)
        self._pending.clear()
        self._offer(message)

    async def _from_server(self, message: dict[str, Any]) -> None:
        """A notification or a request from the server: recorded, and a request is answered."""
        method = str(message.get("method"))
        params = message.get("params")
        level = params.get("level") if isinstance(params, dict) else None
        self.server_messages.append(f"{method}[{level}]" if isinstance(level, str) else method)
        if "id" not in message:
            return
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": message["id"]}
        if method == "ping":
            reply["result"] = {}
            self.server_pings_answered += 1
        else:
            reply["error"] = {"code": METHOD_NOT_FOUND, "message": f"Method not found: {method}"}
        with contextlib.suppress(ConnectionClosed):
            await self.connection.send(json.dumps(reply))

    def _offer(self, message: dict[str, Any] | str) -> None:
        # Server notifications nobody reads must not grow memory without bound.
        if self._unmatched.full():
            self._unmatched.get_nowait()
        self._unmatched.put_nowait(message)

    def _closed_exception(self, method: str) -> McpConnectionClosedError:
        closed = self._closed_error
        frame = closed.rcvd if closed is not None else None
        return McpConnectionClosedError(method, frame.code if frame else None, frame.reason if frame else "")

    async def _send(self, payload: str, method: str) -> None:
        if self.mismatch is not None:
            raise self.mismatch
        if self.closed:
            raise self._closed_exception(method)
        try:
            await self.connection.send(payload)
        except ConnectionClosed as closed:
            self._closed_error = closed
            raise self._closed_exception(method) from closed
        self.messages_sent += 1

    async def request(
        self, method: str, params: dict[str, Any] | None = None, *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Send a request and return its `result`.

        Raises McpRpcError (error reply), McpTimeoutError (no reply in time), McpConnectionClosedError.
        """
        request_id = next(self._ids)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        timeout = self.message_timeout_s if timeout_s is None else timeout_s
        try:
            await self._send(json.dumps(message), method)
            reply = await asyncio.wait_for(future, timeout=timeout)
        except TimeoutError as error:
            raise McpTimeoutError(method, request_id, timeout) from error
        except McpConnectionClosedError as error:
            raise McpConnectionClosedError(method, error.code, error.reason) from None
        finally:
            self._pending.pop(request_id, None)
        if reply.get("jsonrpc") != "2.0":
            raise McpProtocolError(f"reply to {method!r} lacks jsonrpc '2.0': {reply!r:.200}")
        if "error" in reply:
            body = reply["error"] if isinstance(reply["error"], dict) else {}
            raise McpRpcError(method, int(body.get("code", 0)), str(body.get("message", "")), body.get("data"))
        if "result" not in reply or not isinstance(reply["result"], dict):
            raise McpProtocolError(f"reply to {method!r} has no result object: {reply!r:.200}")
        return dict(reply["result"])

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self._send(json.dumps(message), method)

    async def send_raw(self, payload: str, *, timeout_s: float | None = None) -> dict[str, Any] | str | None:
        """Send any text and return the next reply matching no request (a message with a `method` is
        never one), or None if none came in time."""
        while not self._unmatched.empty():
            self._unmatched.get_nowait()
        if self.mismatch is not None:
            raise self.mismatch
        await self._send(payload, "raw message")
        timeout = self.message_timeout_s if timeout_s is None else timeout_s
        getter = asyncio.ensure_future(self._unmatched.get())
        done, _ = await asyncio.wait({getter, self._reader}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await getter
        if self._reader in done:
            raise self._closed_exception("raw message")
        return None

    async def initialize(self, protocol_version: str) -> dict[str, Any]:
        """The handshake: `initialize`, then `notifications/initialized`. Returns the initialize result."""
        result = await self.request(
            "initialize",
            {"protocolVersion": protocol_version, "capabilities": {}, "clientInfo": CLIENT_INFO},
        )
        if not isinstance(result.get("protocolVersion"), str):
            raise McpProtocolError(f"initialize result has no protocolVersion: {result!r:.200}")
        await self.notify("notifications/initialized")
        self.initialize_result = result
        return result

    async def ping(self, *, timeout_s: float | None = None) -> None:
        await self.request("ping", timeout_s=timeout_s)

    async def list_tools(self) -> list[dict[str, Any]]:
        """All tools, following `nextCursor` (at most 100 pages)."""
        tools: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(100):
            result = await self.request("tools/list", {"cursor": cursor} if cursor else {})
            tools.extend(result.get("tools", []))
            cursor = result.get("nextCursor")
            if not cursor:
                return tools
        raise McpProtocolError("tools/list returned more than 100 pages")

    async def call_tool(self, name: str, arguments: dict[str, Any], *, raise_on_error: bool = True) -> ToolCallResult:
        """`tools/call`; a result with `isError: true` raises McpToolError unless raise_on_error is False."""
        started = time.perf_counter()
        result = await self.request("tools/call", {"name": name, "arguments": arguments})
        latency = time.perf_counter() - started
        content = result.get("content")
        if not isinstance(content, list):
            raise McpProtocolError(f"tools/call {name!r} result has no content list: {result!r:.200}")
        data = tool_data(content, result.get("structuredContent"))
        call = ToolCallResult(name, bool(result.get("isError", False)), content, data, latency, result)
        if call.is_error and raise_on_error:
            raise McpToolError(name, call.text)
        return call


def _is_jsonrpc(message: Any) -> bool:
    """A JSON-RPC 2.0 response (or a lenient one: an object with `id` and `result` or `error`)."""
    if not isinstance(message, dict):
        return False
    return message.get("jsonrpc") == "2.0" or ("id" in message and ("result" in message or "error" in message))
