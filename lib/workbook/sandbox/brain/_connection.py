"""One WebSocket connection of the brain stand-in, in either dialect: messages handled one at a
time, in order (as the real brain's `while True: receive_text(); send_text()` loop does), so the
fault switches act at well-defined message positions.

* `ToolJsonConnection` (`/`): the real brain's loop. A binary frame ends the handler, as the real
  `receive_text()` raising KeyError does, and the server closes the connection without a close frame.
* `McpConnection` (`/mcp`): JSON-RPC, plus what the shape options add on the wire (log
  notifications before replies, the server's own pings before tool calls).

A drop (`drop_connections`) returns from the handler without a close frame: uvicorn then closes
the TCP connection, which the client sees as an abnormal closure (1006), as after a crash.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from typing import Any

from starlette.websockets import WebSocket

from ._options import SERVER_PING_TIMEOUT_S
from ._protocol import INTERNAL_ERROR, BrainApp, RpcError, Session

_ping_ids = itertools.count(1)


class WireClosed(Exception):
    """The client closed the connection."""


class Wire:
    """recv/send over a Starlette WebSocket (text or bytes in, text out)."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def recv(self) -> str | bytes:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WireClosed
        text = message.get("text")
        return text if text is not None else bytes(message.get("bytes") or b"")

    async def send(self, text: str) -> None:
        await self.websocket.send_text(text)


class _Loop:
    """What both dialects share: message counting, the drop switch, added latency."""

    def __init__(self, app: BrainApp, wire: Wire) -> None:
        self.app = app
        self.wire = wire
        self.messages = 0

    def dropping(self) -> bool:
        """True when this message is the one the `drop_connections` switch drops (counted as such)."""
        drop_after = self.app.faults.drop_after
        if drop_after is not None and self.messages >= drop_after:
            self.app.stats.connections_dropped += 1
            self.app.faults.dropped()
            return True
        return False

    async def delay(self) -> None:
        latency = self.app.faults.latency_s
        if latency > 0:
            await asyncio.sleep(latency)


class ToolJsonConnection(_Loop):
    async def serve(self) -> None:
        while True:
            try:
                raw = await self.wire.recv()
            except WireClosed:
                return
            if self.dropping() or isinstance(raw, bytes):
                return
            self.messages += 1
            self.app.stats.messages += 1
            reply = await self.app.tool_json.reply(raw)
            if reply.get("status") == "error":
                self.app.stats.tool_json_errors += 1
            await self.delay()
            await self.wire.send(json.dumps(reply))


def _request_of(raw: str | bytes) -> tuple[Any, str | None]:
    """(id, method) of a request, (None, None) for anything else."""
    try:
        message = json.loads(raw)
    except ValueError:
        return None, None
    if isinstance(message, dict) and "id" in message and isinstance(message.get("method"), str):
        return message["id"], message["method"]
    return None, None


class McpConnection(_Loop):
    def __init__(self, app: BrainApp, session: Session, wire: Wire) -> None:
        super().__init__(app, wire)
        self.session = session
        # Messages that arrived while the server waited for the answer to its own ping.
        self.backlog: deque[str | bytes] = deque()

    async def serve(self) -> None:
        while True:
            try:
                raw = self.backlog.popleft() if self.backlog else await self.wire.recv()
            except WireClosed:
                return
            self.messages = self.session.messages
            if self.dropping():
                return
            reply = await self._reply(raw)
            if reply is None:
                continue
            await self.delay()
            if self.app.options.current.log_notifications:
                await self.wire.send(json.dumps(_log_line(reply)))
            await self.wire.send(json.dumps(reply))

    async def _reply(self, raw: str | bytes) -> dict[str, Any] | None:
        request_id, method = _request_of(raw)
        if method == "tools/call" and self.app.options.current.server_pings and not await self._ping_client():
            self.session.messages += 1
            error = RpcError(
                INTERNAL_ERROR, f"the client did not answer the server's ping in {SERVER_PING_TIMEOUT_S:g} s"
            )
            return {"jsonrpc": "2.0", "id": request_id, "error": error.body()}
        return await self.session.handle(raw)

    async def _ping_client(self) -> bool:
        """Send a `ping` request and wait for its answer; other messages meanwhile wait their turn."""
        ping_id = f"brain-ping-{next(_ping_ids)}"
        await self.wire.send(json.dumps({"jsonrpc": "2.0", "id": ping_id, "method": "ping"}))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SERVER_PING_TIMEOUT_S
        while (left := deadline - loop.time()) > 0:
            try:
                raw = await asyncio.wait_for(self.wire.recv(), timeout=left)
            except TimeoutError:
                break
            try:
                message = json.loads(raw)
            except ValueError:
                message = None
            if isinstance(message, dict) and message.get("id") == ping_id and "method" not in message:
                self.app.stats.pings_answered += 1
                return "result" in message
            self.backlog.append(raw)
        self.app.stats.pings_unanswered += 1
        return False


def _log_line(reply: dict[str, Any]) -> dict[str, Any]:
    """The `notifications/message` an SDK server's logging emits around a reply."""
    failed = "error" in reply
    text = f"request {reply.get('id')!r} failed: {reply['error'].get('message')}" if failed else "request handled"
    return {
        "jsonrpc": "2.0",
        "method": "notifications/message",
        "params": {"level": "error" if failed else "info", "logger": "brain", "data": text},
    }
