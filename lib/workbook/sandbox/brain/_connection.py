"""One WebSocket connection of the brain stand-in: messages handled one at a time, in order, so
the fault switches act at well-defined message positions; plus what the shape options add on the
wire (log notifications before replies, the server's own pings before tool calls)."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import deque
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from ._options import SERVER_PING_TIMEOUT_S
from ._protocol import INTERNAL_ERROR, BrainApp, RpcError, Session

log = logging.getLogger("workbook.sandbox.brain")
_ping_ids = itertools.count(1)


def _request_of(raw: str | bytes) -> tuple[Any, str | None]:
    """(id, method) of a request, (None, None) for anything else."""
    try:
        message = json.loads(raw)
    except ValueError:
        return None, None
    if isinstance(message, dict) and "id" in message and isinstance(message.get("method"), str):
        return message["id"], message["method"]
    return None, None


class Connection:
    def __init__(self, app: BrainApp, session: Session, connection: ServerConnection) -> None:
        self.app = app
        self.session = session
        self.connection = connection
        # Messages that arrived while the server waited for the answer to its own ping.
        self.backlog: deque[str | bytes] = deque()

    async def serve(self) -> None:
        stats = self.app.stats
        while True:
            try:
                raw = self.backlog.popleft() if self.backlog else await self.connection.recv()
            except ConnectionClosed:
                return
            drop_after = self.app.faults.drop_after
            if drop_after is not None and self.session.messages >= drop_after:
                # A crash-like drop: no reply, no close frame.
                stats.connections_dropped += 1
                self.app.faults.dropped()
                self.connection.transport.abort()
                return
            reply = await self._reply(raw)
            if reply is None:
                continue
            latency = self.app.faults.latency_s
            if latency > 0:
                await asyncio.sleep(latency)
            if self.app.options.current.log_notifications:
                await self.connection.send(json.dumps(_log_line(reply)))
            await self.connection.send(json.dumps(reply))

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
        await self.connection.send(json.dumps({"jsonrpc": "2.0", "id": ping_id, "method": "ping"}))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SERVER_PING_TIMEOUT_S
        while (left := deadline - loop.time()) > 0:
            try:
                raw = await asyncio.wait_for(self.connection.recv(), timeout=left)
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
