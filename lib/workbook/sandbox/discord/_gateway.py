"""The Gateway websocket: HELLO, IDENTIFY/READY, heartbeat/ACK, RESUME with replay, dispatches.

Each session numbers its dispatches (`s`) and keeps the recent ones so a client that lost its
connection can RESUME (at `resume_gateway_url`) and receive what it missed, then `RESUMED`.
Outgoing frames go through one writer task per connection so frames never reorder. Optional
`compress=zlib-stream` uses one zlib context per connection flushed with Z_SYNC_FLUSH, as Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import zlib
from collections import deque
from typing import Any

from aiohttp import WSMsgType, web

from .._faults import FaultSwitches
from ._accounts import Caller, gateway_caller
from ._config import EmulatorConfig, Settings
from ._intents import GUILDS, gateway_view, identify_problem
from ._ready import guild_create, ready_payload
from ._store import Observability

Json = dict[str, Any]

HEARTBEAT_INTERVAL_MS = 41250
# Scaled heartbeats are floored: a loaded machine can stall a process for a second or two, and a
# sandbox session must not time out (4009) for that.
MIN_HEARTBEAT_INTERVAL_MS = 5000
REPLAY_BUFFER = 5000
MAX_SESSIONS = 32
# Bounds on one connection; past them the server asks the client to reconnect (op 7), as Discord
# does periodically, and the client resumes.
MAX_FRAMES_PER_CONNECTION = 1_000_000
MAX_CONNECTION_AGE_S = 3600.0

# Close codes (discord-api-docs "Gateway Close Event Codes").
UNKNOWN_ERROR = 4000
UNKNOWN_OPCODE = 4001
DECODE_ERROR = 4002
NOT_AUTHENTICATED = 4003
AUTHENTICATION_FAILED = 4004
ALREADY_AUTHENTICATED = 4005
SESSION_TIMED_OUT = 4009
INVALID_API_VERSION = 4012


class _Connection:
    def __init__(self, ws: web.WebSocketResponse, request: web.Request, zlib_stream: bool) -> None:
        self.ws = ws
        self.request = request
        self.session: _ResumableSession | None = None
        self.version = 10
        self._compressor = zlib.compressobj() if zlib_stream else None
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.writer = asyncio.create_task(self._write())

    def send(self, payload: Json | str) -> None:
        self._queue.put_nowait(payload if isinstance(payload, str) else json.dumps(payload))

    async def _write(self) -> None:
        for _ in range(MAX_FRAMES_PER_CONNECTION):
            text = await self._queue.get()
            if text is None or self.ws.closed:
                return
            try:
                if self._compressor is not None:
                    data = self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int, reason: str) -> None:
        await self.flush()
        await self.ws.close(code=code, message=reason.encode())

    async def flush(self, timeout_s: float = 1.0) -> None:
        """Let queued frames go out before a close frame."""
        for _ in range(100):
            if self._queue.empty() or self.writer.done():
                return
            await asyncio.sleep(timeout_s / 100)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (what a network failure looks like)."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def stop(self) -> None:
        self._queue.put_nowait(None)
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(self.writer, 1.0)
        self.writer.cancel()


class _ResumableSession:
    """A gateway session: its sequence numbers and recent dispatches, kept across connections so a
    client that lost its connection can RESUME and get what it missed."""

    def __init__(self, session_id: str, caller: Caller, intents: int = 0) -> None:
        self.session_id = session_id
        self.caller = caller
        self.intents = intents
        self.seq = 0
        self.buffer: deque[tuple[int, str]] = deque(maxlen=REPLAY_BUFFER)
        self.connection: _Connection | None = None

    def dispatch(self, event: str, data: Json) -> None:
        self.seq += 1
        text = json.dumps({"op": 0, "t": event, "s": self.seq, "d": data})
        self.buffer.append((self.seq, text))
        if self.connection is not None:
            self.connection.send(text)


class GatewayHub:
    def __init__(self, config: EmulatorConfig, settings: Settings, faults: FaultSwitches, obs: Observability) -> None:
        self.config = config
        self.settings = settings
        self.faults = faults
        self.obs = obs
        self.sessions: dict[str, _ResumableSession] = {}
        self.connections: set[_Connection] = set()

    # -- dispatch ------------------------------------------------------------------------------

    def dispatch(self, event: str, data: Json, session_id: str | None = None) -> int:
        """Send to every session what it may see of the event (`_intents.gateway_view`); an event
        naming a known user session (INTERACTION_* carry the interaction's) goes to that one only.
        Returns how many sessions got it."""
        named = self.sessions.get(session_id or "")
        targets = [named] if named is not None and not named.caller.is_bot else list(self.sessions.values())
        sent = 0
        for session in targets:
            view = gateway_view(session.caller, session.intents, event, data)
            if view is not None:
                session.dispatch(event, view)
                sent += 1
        self.obs.gateway["dispatches"] += sent
        return sent

    @property
    def connected_sessions(self) -> int:
        return sum(1 for s in self.sessions.values() if s.connection is not None)

    def drop_all(self) -> int:
        """Abort every live connection; sessions stay resumable."""
        dropped = 0
        for connection in list(self.connections):
            connection.abort()
            dropped += 1
        self.obs.gateway["dropped"] += dropped
        return dropped

    async def close_all(self) -> None:
        for connection in list(self.connections):
            with contextlib.suppress(Exception):
                await connection.ws.close(code=1001, message=b"Going away")

    def reset(self) -> None:
        self.drop_all()
        self.sessions.clear()

    # -- websocket handler ---------------------------------------------------------------------

    def _heartbeat_interval_ms(self) -> int:
        return max(MIN_HEARTBEAT_INTERVAL_MS, int(HEARTBEAT_INTERVAL_MS / self.settings.time_scale))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.faults.on("gateway_down"):
            self.obs.gateway["refused"] += 1
            self.obs.faults_fired["gateway_down"] += 1
            return web.json_response({"message": "503: Service Unavailable", "code": 0}, status=503)
        ws = web.WebSocketResponse(compress=False, max_msg_size=4 * 1024 * 1024, autoping=True)
        await ws.prepare(request)
        self.obs.gateway["connections"] += 1
        connection = _Connection(ws, request, request.query.get("compress") == "zlib-stream")
        self.connections.add(connection)
        try:
            version = request.query.get("v", "10")
            if version not in ("9", "10"):
                await connection.close(INVALID_API_VERSION, "Invalid API version.")
                return ws
            if request.query.get("encoding", "json") != "json":
                await connection.close(DECODE_ERROR, "Only encoding=json is emulated.")
                return ws
            interval_ms = self._heartbeat_interval_ms()
            connection.send({"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": interval_ms}})
            connection.version = int(version)
            await self._receive_loop(connection, timeout_s=2 * interval_ms / 1000 + 1.0)
        finally:
            self.connections.discard(connection)
            if connection.session is not None and connection.session.connection is connection:
                connection.session.connection = None
            await connection.stop()
        return ws

    async def _receive_loop(self, connection: _Connection, timeout_s: float) -> None:
        ws = connection.ws
        loop = asyncio.get_running_loop()
        opened = loop.time()
        for _ in range(MAX_FRAMES_PER_CONNECTION):
            if ws.closed:
                return
            if loop.time() - opened > MAX_CONNECTION_AGE_S:
                connection.send({"op": 7, "s": None, "t": None, "d": None})
                await connection.close(UNKNOWN_ERROR, "Reconnect requested.")
                return
            try:
                message = await ws.receive(timeout=timeout_s)
            except TimeoutError:
                await connection.close(SESSION_TIMED_OUT, "Session timed out.")
                return
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return
            if message.type != WSMsgType.TEXT:
                await connection.close(DECODE_ERROR, "Error while decoding payload.")
                return
            try:
                payload = json.loads(message.data)
                op = payload["op"]
            except (ValueError, TypeError, KeyError):
                await connection.close(DECODE_ERROR, "Error while decoding payload.")
                return
            if not await self._handle_op(connection, op, payload.get("d")):
                return
        connection.send({"op": 7, "s": None, "t": None, "d": None})
        await connection.close(UNKNOWN_ERROR, "Reconnect requested.")

    async def _handle_op(self, connection: _Connection, op: Any, data: Any) -> bool:
        """Handle one client payload; False when the connection was closed."""
        if op == 1:
            self.obs.gateway["heartbeats"] += 1
            connection.send({"op": 11, "s": None, "t": None, "d": None})
            return True
        if op == 2:
            return await self._identify(connection, data)
        if op == 6:
            return await self._resume(connection, data)
        if op in (3, 4, 8, 14, 37):
            # Presence / voice / member requests / lazy guild subscriptions: accepted, no effect here.
            if connection.session is None:
                await connection.close(NOT_AUTHENTICATED, "Not authenticated.")
                return False
            return True
        await connection.close(UNKNOWN_OPCODE, "Unknown opcode.")
        return False

    async def _identify(self, connection: _Connection, data: Any) -> bool:
        if connection.session is not None:
            await connection.close(ALREADY_AUTHENTICATED, "Already authenticated.")
            return False
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            await connection.close(DECODE_ERROR, "Error while decoding payload.")
            return False
        caller = gateway_caller(self.config, data["token"])
        if caller is None:
            self.obs.gateway["auth_failed"] += 1
            await connection.close(AUTHENTICATION_FAILED, "Authentication failed.")
            return False
        intents = 0
        if caller.bot is not None:
            problem = identify_problem(caller.bot, data.get("intents"))
            if problem is not None:
                self.obs.gateway["intents_refused"] += 1
                await connection.close(*problem)
                return False
            intents = int(data["intents"])
        self.obs.gateway["identifies" if caller.bot is None else "bot_identifies"] += 1
        session = _ResumableSession(secrets.token_hex(16), caller, intents)
        self._remember(session)
        session.connection = connection
        connection.session = session
        session.dispatch("READY", ready_payload(self.config, caller, session.session_id, connection.version))
        if caller.bot is not None and caller.bot.in_guild and intents & GUILDS:
            session.dispatch("GUILD_CREATE", guild_create(self.config))
        return True

    async def _resume(self, connection: _Connection, data: Any) -> bool:
        if not isinstance(data, dict) or not all(k in data for k in ("token", "session_id", "seq")):
            await connection.close(DECODE_ERROR, "Error while decoding payload.")
            return False
        session = self.sessions.get(str(data["session_id"]))
        caller = gateway_caller(self.config, str(data["token"]))
        if caller is None or (session is not None and caller != session.caller):
            # An unknown token, or another identity's token for this session.
            self.obs.gateway["auth_failed"] += 1
            await connection.close(AUTHENTICATION_FAILED, "Authentication failed.")
            return False
        seq = data["seq"] if isinstance(data["seq"], int) else 0
        oldest = session.buffer[0][0] if session is not None and session.buffer else 1
        if session is None or seq > session.seq or seq + 1 < oldest:
            self.obs.gateway["invalid_sessions"] += 1
            connection.send({"op": 9, "s": None, "t": None, "d": False})
            return True
        if session.connection is not None and session.connection is not connection:
            session.connection.abort()
        self.obs.gateway["resumes"] += 1
        replay = [text for s, text in session.buffer if s > seq]
        self.obs.gateway["replayed"] += len(replay)
        for text in replay:
            connection.send(text)
        session.connection = connection
        connection.session = session
        session.dispatch("RESUMED", {})
        return True

    def _remember(self, session: _ResumableSession) -> None:
        self.sessions[session.session_id] = session
        idle = [s for s in self.sessions.values() if s.connection is None]
        while len(self.sessions) > MAX_SESSIONS and idle:
            self.sessions.pop(idle.pop(0).session_id, None)
