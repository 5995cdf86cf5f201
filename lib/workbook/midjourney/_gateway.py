"""Discord Gateway client (websockets): hello, identify, heartbeat, resume, dispatch.

The IDENTIFY payload comes from the dialect: a user session carries `capabilities` and browser
`properties` and no `intents` (reference notes §5.1), a bot session `intents`. Compression is not
requested, so frames are plain JSON text. After a drop the client RESUMEs on READY's
`resume_gateway_url` with the last sequence number, so Discord replays what was missed; an invalid
session starts a new one. Close code 4004 (authentication failed) and the other fatal codes end the
client without reconnecting.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from ._errors import GatewayError
from ._rest import USER_AGENT

# Gateway opcodes (discord-api-docs "Opcodes and Status Codes").
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_RESUME = 6
OP_RECONNECT = 7
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_ACK = 11
# Discord close codes after which reconnecting cannot help.
FATAL_CLOSE_CODES = {
    4004: "authentication failed",
    4010: "invalid shard",
    4011: "sharding required",
    4012: "invalid API version",
    4013: "invalid intents",
    4014: "disallowed intents",
}
# Close codes after which the session cannot be resumed (identify again).
NO_RESUME_CLOSE_CODES = {4007, 4009}

Dispatch = Callable[[str, dict[str, Any], float], None]
StateHook = Callable[[str], None]
Identify = Callable[[str, dict[str, Any]], dict[str, Any]]  # (token, browser properties) -> IDENTIFY's `d`


def gateway_query_url(url: str, version: int = 10) -> str:
    """Add `v` and `encoding=json` unless the URL already says; never asks for zlib compression."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise GatewayError(f"gateway_url must be a ws:// or wss:// URL, got {url!r}")
    query = dict(parse_qsl(parts.query))
    query.setdefault("v", str(version))
    query.setdefault("encoding", "json")
    query.pop("compress", None)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


BROWSER_PROPERTIES: dict[str, Any] = {
    "os": "Linux",
    "browser": "Chrome",
    "device": "",
    "browser_user_agent": USER_AGENT,
    "system_locale": "en-US",
    "release_channel": "stable",
}


def user_identify(token: str, properties: dict[str, Any]) -> dict[str, Any]:
    """A user account's IDENTIFY `d` (what the web client sends, reference notes §5.1)."""
    return {
        "token": token,
        "capabilities": 16381,
        "properties": properties,
        "presence": {"activities": [], "afk": False, "since": 0, "status": "online"},
        "compress": False,
    }


class GatewayClient:
    """Runs one gateway session (with resumes) until `close()`; dispatches events to `on_dispatch`.

    `on_dispatch(event_name, data, received_wall_time)` is called for every op-0 dispatch.
    `ready` is set while the session is identified/resumed and cleared while disconnected.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        on_dispatch: Dispatch,
        on_state: StateHook | None = None,
        identify: Identify = user_identify,
        connect_kwargs: dict[str, Any] | None = None,
        max_reconnects: int = 8,
        open_timeout_s: float = 10.0,
        reconnect_delay_s: float = 0.5,
        connector: Callable[..., Any] = connect,
    ) -> None:
        self.url = gateway_query_url(url)
        self._token = token
        self._on_dispatch = on_dispatch
        self._on_state = on_state
        self._identify = identify
        self._connect_kwargs = dict(connect_kwargs or {})
        self.max_reconnects = max_reconnects
        self.open_timeout_s = open_timeout_s
        self.reconnect_delay_s = reconnect_delay_s
        self._connector = connector
        self.session_id: str | None = None
        self.resume_url: str | None = None
        self.seq: int | None = None
        self.user: dict[str, Any] = {}
        self.ready = asyncio.Event()
        self.failed: GatewayError | None = None
        self.connects = 0
        self.resumes = 0
        self.drops = 0
        self.dispatched = 0
        self._closing = False
        self._ws: ClientConnection | None = None
        self._acked = True

    def __repr__(self) -> str:
        return f"GatewayClient({self.url!r}, session={self.session_id!r}, token=***)"

    def _state(self, state: str) -> None:
        if self._on_state is not None:
            self._on_state(state)

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def run(self) -> None:
        """Connect and keep the session alive; returns when closed or after a fatal error (see `failed`)."""
        failures = 0
        while not self._closing:
            try:
                await self._connection()
                failures = 0 if self.ready.is_set() else failures
            except GatewayError as error:
                if error.fatal:
                    self.failed = error
                    self._state("failed")
                    return
                failures += 1
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError, ConnectionClosed) as error:
                failures += 1
                self.failed = GatewayError(f"gateway {self.url}: {type(error).__name__}: {error}")
            finally:
                if self.ready.is_set() and not self._closing:
                    self.drops += 1
                self.ready.clear()
                self._ws = None
            if self._closing:
                return
            self._state("disconnected")
            if failures > self.max_reconnects:
                self.failed = self.failed or GatewayError("gateway: too many failed reconnects")
                self._state("failed")
                return
            if failures == 0:
                # A session that was ready just dropped: resume at once (jittered) so no event is late.
                delay = random.uniform(0.0, 0.1)
            else:
                delay = min(8.0, self.reconnect_delay_s * 2 ** (failures - 1)) * random.uniform(0.8, 1.2)
            await asyncio.sleep(delay)

    async def _connection(self) -> None:
        """One websocket connection: HELLO, IDENTIFY or RESUME, heartbeats, dispatches until it closes."""
        resuming = self.session_id is not None and self.seq is not None
        url = gateway_query_url(self.resume_url) if resuming and self.resume_url else self.url
        self._state("connecting")
        async with self._connector(
            url,
            **{**self._connect_kwargs, "open_timeout": self.open_timeout_s},
            ping_interval=None,  # Discord's own heartbeat is the keep-alive
            max_size=2**24,
            user_agent_header=USER_AGENT,
            compression=None,
        ) as ws:
            self._ws = ws
            self.connects += 1
            hello = json.loads(await asyncio.wait_for(ws.recv(), self.open_timeout_s))
            if hello.get("op") != OP_HELLO:
                raise GatewayError(f"gateway: expected HELLO (op 10), got op {hello.get('op')}")
            interval = float(hello["d"]["heartbeat_interval"]) / 1000.0
            if resuming:
                await ws.send(
                    json.dumps(
                        {
                            "op": OP_RESUME,
                            "d": {"token": self._token, "session_id": self.session_id, "seq": self.seq},
                        }
                    )
                )
            else:
                await ws.send(json.dumps({"op": OP_IDENTIFY, "d": self._identify(self._token, BROWSER_PROPERTIES)}))
            heartbeat = asyncio.create_task(self._heartbeat(ws, interval))
            try:
                await self._receive(ws)
            finally:
                heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await heartbeat

    async def _heartbeat(self, ws: ClientConnection, interval: float) -> None:
        self._acked = True
        await asyncio.sleep(interval * random.random())
        while True:
            if not self._acked:
                # Zombied connection: no ACK since the last beat. Close non-1000 so we can resume.
                await ws.close(code=4000, reason="heartbeat not acknowledged")
                return
            self._acked = False
            await ws.send(json.dumps({"op": OP_HEARTBEAT, "d": self.seq}))
            await asyncio.sleep(interval)

    async def _receive(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                received = time.time()
                frame = json.loads(raw)
                op = frame.get("op")
                if op == OP_DISPATCH:
                    if frame.get("s") is not None:
                        self.seq = int(frame["s"])
                    name, data = str(frame.get("t")), frame.get("d") or {}
                    if name == "READY":
                        self.session_id = str(data.get("session_id"))
                        self.resume_url = data.get("resume_gateway_url") or self.url
                        self.user = dict(data.get("user") or {})
                        self.ready.set()
                        self._state("ready")
                    elif name == "RESUMED":
                        self.resumes += 1
                        self.ready.set()
                        self._state("resumed")
                    self.dispatched += 1
                    self._on_dispatch(name, data, received)
                elif op == OP_HEARTBEAT:
                    await ws.send(json.dumps({"op": OP_HEARTBEAT, "d": self.seq}))
                elif op == OP_ACK:
                    self._acked = True
                elif op == OP_RECONNECT:
                    await ws.close(code=4000, reason="reconnect requested")
                    return
                elif op == OP_INVALID_SESSION:
                    if not frame.get("d"):
                        self.session_id, self.seq, self.resume_url = None, None, None
                    await asyncio.sleep(random.uniform(0.1, 0.5))
                    await ws.close(code=4000, reason="invalid session")
                    return
        except ConnectionClosed:
            pass
        code = ws.close_code
        if code in FATAL_CLOSE_CODES:
            said = f": {ws.close_reason!r}" if ws.close_reason else ""
            raise GatewayError(
                f"gateway {self.url} closed with {code} ({FATAL_CLOSE_CODES[code]}{said}); not reconnecting",
                close_code=code,
                fatal=True,
            )
        if code in NO_RESUME_CLOSE_CODES:
            self.session_id, self.seq, self.resume_url = None, None, None
