"""The MCP WebSocket probe: connect, handshake, tools, round trips, concurrency, reconnects, errors.

Each stage is bounded by a count and by the run's deadline; whatever a stage could not do before
the deadline is counted as failed with the kind "deadline", never dropped from the figures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._client import McpClient, validate_ws_url
from ._errors import (
    McpConnectionClosedError,
    McpError,
    McpProtocolError,
    McpRpcError,
    McpTimeoutError,
    McpUsageError,
    error_kind,
)
from ._models import (
    ConcurrencyLevel,
    ErrorCaseResult,
    HandshakeResult,
    LatencySummary,
    McpProbeReport,
    Outcome,
    ReconnectResult,
    ToolInfo,
    ToolsListResult,
)
from ._sync import synchronous

T = TypeVar("T")

DEFAULT_PROTOCOL_VERSION = "2025-11-25"
HANDSHAKE_PROTOCOL_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
EMBEDDING_META_KEY = "workbook/embedding"
DEADLINE = "deadline"


def default_tool_calls(project_id: str) -> dict[str, dict[str, Any]]:
    """The brain service's two tools with arguments; `{i}` in a string is replaced by the call index."""
    return {
        "create_character": {
            "name": "probe character {i}",
            "description": "a weathered lighthouse keeper who paints storms, probe sample {i}",
            "project_id": project_id,
        },
        "find_similar_characters": {
            "query": "lighthouse keeper painting storms",
            "project_id": project_id,
            "top_k": 5,
        },
    }


@dataclass(frozen=True)
class _Settings:
    ws_url: str
    protocol_version: str
    open_timeout_s: float
    message_timeout_s: float
    compression: str | None
    subprotocols: tuple[str, ...]

    async def open(self) -> McpClient:
        return await McpClient.open(
            self.ws_url,
            open_timeout_s=self.open_timeout_s,
            message_timeout_s=self.message_timeout_s,
            subprotocols=self.subprotocols,
            compression=self.compression,
        )

    async def open_session(self) -> McpClient:
        client = await self.open()
        try:
            await _handshake(client, self.protocol_version)
        except BaseException:
            await client.close()
            raise
        return client


@dataclass
class _Deadline:
    at: float

    @classmethod
    def after(cls, seconds: float) -> _Deadline:
        return cls(time.monotonic() + seconds)

    @property
    def left(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.left <= 0


@dataclass
class _Tally:
    samples: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self, operation: str) -> LatencySummary:
        return LatencySummary.build(operation, self.samples, self.errors)


def _fill(arguments: Mapping[str, Any], i: int) -> dict[str, Any]:
    return {k: v.replace("{i}", str(i)) if isinstance(v, str) else v for k, v in arguments.items()}


def _check_positive(name: str, value: float, *, integer: bool = False, allow_zero: bool = False) -> None:
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if not ok or isinstance(value, bool) or value < 0 or (value == 0 and not allow_zero):
        kind = "an integer" if integer else "a number"
        bound = ">= 0" if allow_zero else "> 0"
        raise McpUsageError(f"{name} must be {kind} {bound}, got {value!r}")


async def _handshake(client: McpClient, protocol_version: str) -> dict[str, Any]:
    result = await client.initialize(protocol_version)
    negotiated = result["protocolVersion"]
    if negotiated not in HANDSHAKE_PROTOCOL_VERSIONS:
        # The spec says a client that cannot speak the server's version should disconnect.
        raise McpProtocolError(
            f"server negotiated protocol version {negotiated!r}; this client speaks {HANDSHAKE_PROTOCOL_VERSIONS}"
        )
    return result


async def _bounded(awaitable: Awaitable[T], deadline: _Deadline) -> T:
    if deadline.passed:
        raise TimeoutError
    return await asyncio.wait_for(awaitable, timeout=deadline.left)


async def _timed_handshake(client: McpClient, protocol_version: str, deadline: _Deadline) -> HandshakeResult:
    started = time.perf_counter()
    try:
        init = await _bounded(_handshake(client, protocol_version), deadline)
    except TimeoutError:
        return HandshakeResult(False, protocol_version, error=f"{DEADLINE}: the run's deadline passed")
    except McpRpcError as error:
        hint = await _stateless_hint(client) if error.code == -32601 else ""
        return HandshakeResult(False, protocol_version, error=f"{error_kind(error)}: {error}{hint}")
    except McpError as error:
        return HandshakeResult(False, protocol_version, error=f"{error_kind(error)}: {error}")
    return HandshakeResult(
        True,
        protocol_version,
        init["protocolVersion"],
        dict(init.get("serverInfo") or {}),
        dict(init.get("capabilities") or {}),
        time.perf_counter() - started,
    )


async def _stateless_hint(client: McpClient) -> str:
    """A server without `initialize` may speak the stateless 2026-07-28 era; say so if it does."""
    try:
        result = await client.request("server/discover", {})
    except McpError:
        return ""
    versions = result.get("supportedVersions")
    return f" (the server answers server/discover: stateless-era MCP, supportedVersions {versions!r})"


async def _versions(settings: _Settings, versions: Sequence[str], deadline: _Deadline) -> tuple[HandshakeResult, ...]:
    results = []
    for version in versions:
        if deadline.passed:
            results.append(HandshakeResult(False, version, error=f"{DEADLINE}: not run"))
            continue
        try:
            client = await settings.open()
        except McpError as error:
            results.append(HandshakeResult(False, version, error=f"{error_kind(error)}: {error}"))
            continue
        try:
            results.append(await _timed_handshake(client, version, deadline))
        finally:
            await client.close()
    return tuple(results)


# --- connect samples --------------------------------------------------------------------------


async def _connect_samples(settings: _Settings, count: int, deadline: _Deadline) -> LatencySummary:
    tally = _Tally()
    for _ in range(count):
        if deadline.passed:
            tally.errors.append(DEADLINE)
            continue
        try:
            client = await settings.open()
        except McpError as error:
            tally.errors.append(error_kind(error))
            continue
        tally.samples.append(client.connect_s)
        await client.close()
    return tally.summary("connect")


# --- one session: handshake, tools/list, per-tool round trips -----------------------------------


async def _session(
    settings: _Settings, tool_calls: Mapping[str, Mapping[str, Any]], calls_per_tool: int, deadline: _Deadline
) -> tuple[HandshakeResult, ToolsListResult, dict[str, LatencySummary]]:
    tallies = {name: _Tally() for name in tool_calls}

    def fail_all(kind: str) -> dict[str, LatencySummary]:
        for tally in tallies.values():
            tally.errors.extend([kind] * (calls_per_tool - len(tally.samples) - len(tally.errors)))
        return {name: tally.summary(name) for name, tally in tallies.items()}

    try:
        client = await settings.open()
    except McpError as error:
        kind = error_kind(error)
        return (
            HandshakeResult(False, settings.protocol_version, error=f"{kind}: {error}"),
            ToolsListResult(False, error="not attempted: connection failed"),
            fail_all(kind),
        )
    try:
        handshake = await _timed_handshake(client, settings.protocol_version, deadline)
        if not handshake.ok:
            return (
                handshake,
                ToolsListResult(False, error="not attempted: handshake failed"),
                fail_all("handshake_failed"),
            )
        assert client.initialize_result is not None
        init = client.initialize_result
        tools = await _tools_list(client, init, deadline)
        for i in range(calls_per_tool):
            for name, arguments in tool_calls.items():
                if deadline.passed:
                    tallies[name].errors.append(DEADLINE)
                    continue
                if client.closed:
                    tallies[name].errors.append("connection_closed")
                    continue
                try:
                    call = await client.call_tool(name, _fill(arguments, i))
                except McpError as error:
                    tallies[name].errors.append(error_kind(error))
                else:
                    tallies[name].samples.append(call.latency_s)
        return handshake, tools, {name: tally.summary(name) for name, tally in tallies.items()}
    finally:
        await client.close()


async def _tools_list(client: McpClient, init: Mapping[str, Any], deadline: _Deadline) -> ToolsListResult:
    started = time.perf_counter()
    try:
        raw_tools = await _bounded(client.list_tools(), deadline)
    except (McpError, TimeoutError) as error:
        kind = error_kind(error) if isinstance(error, McpError) else DEADLINE
        return ToolsListResult(False, error=f"{kind}: {error}")
    latency = time.perf_counter() - started
    tools = tuple(
        ToolInfo(str(t.get("name", "")), str(t.get("description", "")), dict(t.get("inputSchema") or {}))
        for t in raw_tools
        if isinstance(t, dict)
    )
    meta = init.get("_meta") or {}
    embedding = meta.get(EMBEDDING_META_KEY) if isinstance(meta, dict) else None
    return ToolsListResult(True, tools, latency, embedding=embedding)


# --- concurrency sweep ------------------------------------------------------------------------


@dataclass
class _LagSampler:
    """How late a 5 ms ticker wakes up on the probe's loop: callbacks queued behind the probe's
    own work (a busy client) show up here before they show up as target latency."""

    interval_s: float = 0.005
    max_samples: int = 100_000
    lags: list[float] = field(default_factory=list)

    async def run(self) -> None:
        while len(self.lags) < self.max_samples:
            due = time.perf_counter() + self.interval_s
            await asyncio.sleep(self.interval_s)
            self.lags.append(max(0.0, time.perf_counter() - due))

    def p99_s(self) -> float | None:
        if not self.lags:
            return None
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def _level(
    settings: _Settings,
    connections: int,
    calls_per_connection: int,
    tool_calls: Mapping[str, Mapping[str, Any]],
    level_timeout_s: float,
) -> ConcurrencyLevel:
    connect = _Tally()
    rtt = _Tally()
    errors: list[str] = []
    opened = 0
    succeeded = 0
    ready = 0
    all_ready = asyncio.Event()
    names = list(tool_calls)
    clients: list[McpClient] = []

    def arrived() -> None:
        nonlocal ready
        ready += 1
        if ready == connections:
            all_ready.set()

    async def worker(index: int) -> None:
        nonlocal opened, succeeded
        accounted = 0  # planned calls whose fate is already recorded
        counted_in = False

        def fail_rest(kind: str) -> None:
            nonlocal accounted
            errors.extend([kind] * (calls_per_connection - accounted))
            accounted = calls_per_connection

        try:
            try:
                client = await settings.open()
            except McpError as error:
                connect.errors.append(error_kind(error))
                fail_rest(error_kind(error))
                return
            clients.append(client)
            opened += 1
            connect.samples.append(client.connect_s)
            try:
                await _handshake(client, settings.protocol_version)
            except McpError:
                fail_rest("handshake_failed")
                return
            # Calls start only when every connection of the level is ready: they are concurrent.
            counted_in = True
            arrived()
            await all_ready.wait()
            for i in range(calls_per_connection):
                name = names[(index + i) % len(names)]
                try:
                    call = await client.call_tool(name, _fill(tool_calls[name], index * 1000 + i))
                except McpError as error:
                    accounted += 1
                    errors.append(error_kind(error))
                    rtt.errors.append(error_kind(error))
                    if isinstance(error, McpConnectionClosedError):
                        fail_rest("connection_closed")
                        return
                else:
                    accounted += 1
                    succeeded += 1
                    rtt.samples.append(call.latency_s)
        except asyncio.CancelledError:
            fail_rest(DEADLINE)
            raise
        finally:
            if not counted_in:
                # A connection that failed early must not hold the others back.
                arrived()

    lag = _LagSampler()
    started, cpu_started = time.perf_counter(), time.thread_time()
    sampler = asyncio.create_task(lag.run())
    tasks = [asyncio.create_task(worker(i)) for i in range(connections)]
    _, pending = await asyncio.wait(tasks, timeout=level_timeout_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    wall, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    sampler.cancel()
    await asyncio.gather(sampler, return_exceptions=True)
    await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
    counts: dict[str, int] = {}
    for kind in errors:
        counts[kind] = counts.get(kind, 0) + 1
    return ConcurrencyLevel(
        connections,
        opened,
        connections * calls_per_connection,
        succeeded,
        connect.summary(f"connect x{connections}"),
        rtt.summary(f"tools/call x{connections}"),
        counts,
        wall,
        bool(pending),
        cpu,
        lag.p99_s(),
    )


# --- reconnect --------------------------------------------------------------------------------


async def _reconnect(
    settings: _Settings,
    calls: int,
    tool: str,
    arguments: Mapping[str, Any],
    max_reconnects: int,
    deadline: _Deadline,
) -> ReconnectResult:
    reconnect = _Tally()
    errors: list[str] = []
    succeeded = drops = failed_reconnects = 0
    before_drop: list[int] = []
    started = time.perf_counter()
    client: McpClient | None = None
    try:
        try:
            client = await settings.open_session()
        except McpError as error:
            errors.append(f"initial_{error_kind(error)}")
        for i in range(calls):
            if deadline.passed:
                errors.append(DEADLINE)
                continue
            if client is not None and client.closed:
                # The server closed the connection between two calls.
                drops += 1
                before_drop.append(client.messages_sent)
                await client.close()
                client = None
            if client is None:
                if len(reconnect.samples) + failed_reconnects >= max_reconnects:
                    errors.append("reconnect_limit")
                    continue
                t0 = time.perf_counter()
                try:
                    client = await settings.open_session()
                except McpError as error:
                    failed_reconnects += 1
                    reconnect.errors.append(error_kind(error))
                    errors.append(f"reconnect_{error_kind(error)}")
                    continue
                reconnect.samples.append(time.perf_counter() - t0)
            try:
                await client.call_tool(tool, _fill(arguments, i))
            except McpConnectionClosedError:
                drops += 1
                before_drop.append(client.messages_sent)
                errors.append("connection_closed")
                await client.close()
                client = None
            except McpError as error:
                errors.append(error_kind(error))
            else:
                succeeded += 1
    finally:
        if client is not None:
            await client.close()
    counts: dict[str, int] = {}
    for kind in errors:
        counts[kind] = counts.get(kind, 0) + 1
    return ReconnectResult(
        calls,
        succeeded,
        drops,
        len(reconnect.samples),
        failed_reconnects,
        tuple(before_drop),
        reconnect.summary("reconnect + handshake"),
        counts,
        time.perf_counter() - started,
    )


# --- JSON-RPC error cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    name: str
    expected: str
    # (outcome, code) pairs a correct server may produce; the first is what the spec prescribes.
    accepted: tuple[tuple[Outcome, int | None], ...]
    request: tuple[str, dict[str, Any]] | None = None
    raw: str | None = None


def _cases(project_id: str) -> tuple[_Case, ...]:
    return (
        _Case(
            "unknown_method",
            "JSON-RPC error -32601 (mcp SDK 1.x servers answer -32602)",
            (("error_reply", -32601), ("error_reply", -32602)),
            request=("workbook/no_such_method", {}),
        ),
        _Case(
            "bad_params",
            "JSON-RPC error -32602 (tools/call without a tool name)",
            (("error_reply", -32602),),
            request=("tools/call", {"arguments": {}}),
        ),
        _Case(
            "unknown_tool",
            "JSON-RPC error -32602, or a result with isError true",
            (("error_reply", -32602), ("tool_error", None)),
            request=("tools/call", {"name": "workbook_no_such_tool", "arguments": {}}),
        ),
        _Case(
            "bad_tool_arguments",
            "JSON-RPC error -32602, or a result with isError true (2025-11-25 prefers isError)",
            (("error_reply", -32602), ("tool_error", None)),
            request=(
                "tools/call",
                {"name": "create_character", "arguments": {"name": 42, "project_id": project_id}},
            ),
        ),
        _Case(
            "malformed_json",
            "JSON-RPC error -32700 with id null, or no reply at all",
            (("error_reply", -32700), ("no_reply", None)),
            raw='{"jsonrpc": "2.0", "id": 99, "method": "tools/list", ',
        ),
        _Case(
            "invalid_request",
            "JSON-RPC error -32600 (a request without method), or no reply at all",
            (("error_reply", -32600), ("no_reply", None)),
            raw='{"jsonrpc": "2.0", "id": "no-method"}',
        ),
    )


async def _run_case(client: McpClient, case: _Case, no_reply_timeout_s: float) -> ErrorCaseResult:
    outcome: Outcome
    code: int | None = None
    message: str | None = None
    started = time.perf_counter()
    if case.request is not None:
        method, params = case.request
        sent = json.dumps({"method": method, "params": params})
        try:
            if method == "tools/call" and "name" in params:
                call = await client.call_tool(params["name"], params["arguments"], raise_on_error=False)
                outcome, message = ("tool_error", call.text) if call.is_error else ("result", None)
            else:
                await client.request(method, params, timeout_s=no_reply_timeout_s)
                outcome = "result"
        except McpRpcError as error:
            outcome, code, message = "error_reply", error.code, error.rpc_message
        except McpTimeoutError:
            outcome = "no_reply"
        except McpConnectionClosedError:
            outcome = "connection_closed"
    else:
        assert case.raw is not None
        sent = case.raw
        try:
            reply = await client.send_raw(case.raw, timeout_s=no_reply_timeout_s)
        except McpConnectionClosedError:
            outcome = "connection_closed"
        else:
            if reply is None:
                outcome = "no_reply"
            elif isinstance(reply, dict) and isinstance(reply.get("error"), dict):
                outcome, code = "error_reply", int(reply["error"].get("code", 0))
                message = str(reply["error"].get("message", ""))
            else:
                outcome, message = "result", str(reply)[:200]
    latency = time.perf_counter() - started
    usable = False
    if not client.closed:
        try:
            await client.ping(timeout_s=no_reply_timeout_s)
            usable = True
        except McpError:
            usable = False
    got = (outcome, code if outcome == "error_reply" else None)
    return ErrorCaseResult(
        case.name,
        sent[:200],
        outcome,
        accepted=got in case.accepted and usable,
        spec_exact=got == case.accepted[0],
        usable_after=usable,
        code=code,
        message=message,
        latency_s=latency,
        expected=case.expected,
    )


async def _error_cases(
    settings: _Settings, project_id: str, no_reply_timeout_s: float, deadline: _Deadline
) -> tuple[ErrorCaseResult, ...]:
    results: list[ErrorCaseResult] = []
    client: McpClient | None = None
    try:
        for case in _cases(project_id):
            if deadline.passed:
                results.append(
                    ErrorCaseResult(
                        case.name, "", "not_run", False, False, False, message=DEADLINE, expected=case.expected
                    )
                )
                continue
            if client is None or client.closed:
                if client is not None:
                    await client.close()
                try:
                    client = await settings.open_session()
                except McpError as error:
                    client = None
                    results.append(
                        ErrorCaseResult(
                            case.name,
                            "",
                            "connection_closed",
                            False,
                            False,
                            False,
                            message=f"could not open a session: {error}",
                            expected=case.expected,
                        )
                    )
                    continue
            results.append(await _run_case(client, case, no_reply_timeout_s))
    finally:
        if client is not None:
            await client.close()
    return tuple(results)


# --- public entry points ----------------------------------------------------------------------


def _settings(
    ws_url: str,
    protocol_version: str,
    open_timeout_s: float,
    message_timeout_s: float,
    compression: str | None,
    subprotocols: Sequence[str],
) -> _Settings:
    validate_ws_url(ws_url)
    if protocol_version not in HANDSHAKE_PROTOCOL_VERSIONS:
        raise McpUsageError(
            f"protocol_version must be a handshake-era MCP version {HANDSHAKE_PROTOCOL_VERSIONS}, "
            f"got {protocol_version!r}"
        )
    _check_positive("open_timeout_s", open_timeout_s)
    _check_positive("message_timeout_s", message_timeout_s)
    if compression not in ("deflate", None):
        raise McpUsageError(f"compression must be 'deflate' or None, got {compression!r}")
    return _Settings(ws_url, protocol_version, open_timeout_s, message_timeout_s, compression, tuple(subprotocols))


def new_project_id() -> str:
    return f"workbook-probe-{uuid.uuid4().hex[:12]}"


async def probe_concurrency_async(
    ws_url: str,
    levels: Sequence[int] = (1, 5, 10, 20),
    *,
    calls_per_connection: int = 5,
    tool_calls: Mapping[str, Mapping[str, Any]] | None = None,
    project_id: str | None = None,
    level_timeout_s: float = 30.0,
    protocol_version: str = DEFAULT_PROTOCOL_VERSION,
    open_timeout_s: float = 5.0,
    message_timeout_s: float = 5.0,
    compression: str | None = "deflate",
    subprotocols: Sequence[str] = ("mcp",),
) -> tuple[ConcurrencyLevel, ...]:
    """For each level N: open N connections at once, handshake each, then N × `calls_per_connection`
    concurrent `tools/call` round trips (the tools in turn). Each level is cut off after `level_timeout_s`."""
    settings = _settings(ws_url, protocol_version, open_timeout_s, message_timeout_s, compression, subprotocols)
    for level in levels:
        _check_positive("each concurrency level", level, integer=True)
        if level > 200:
            raise McpUsageError(f"concurrency levels are capped at 200 connections, got {level}")
    _check_positive("calls_per_connection", calls_per_connection, integer=True)
    _check_positive("level_timeout_s", level_timeout_s)
    calls = tool_calls or default_tool_calls(project_id or new_project_id())
    return tuple([await _level(settings, n, calls_per_connection, calls, level_timeout_s) for n in levels])


async def probe_reconnect_async(
    ws_url: str,
    *,
    calls: int = 20,
    tool: str = "find_similar_characters",
    arguments: Mapping[str, Any] | None = None,
    project_id: str | None = None,
    max_reconnects: int = 20,
    max_duration_s: float = 30.0,
    protocol_version: str = DEFAULT_PROTOCOL_VERSION,
    open_timeout_s: float = 5.0,
    message_timeout_s: float = 5.0,
    compression: str | None = "deflate",
    subprotocols: Sequence[str] = ("mcp",),
) -> ReconnectResult:
    """`calls` sequential calls of `tool`; whenever the server drops the connection, reconnect and
    re-handshake (at most `max_reconnects` times) and go on. A call lost to a drop counts as failed."""
    settings = _settings(ws_url, protocol_version, open_timeout_s, message_timeout_s, compression, subprotocols)
    _check_positive("calls", calls, integer=True)
    _check_positive("max_reconnects", max_reconnects, integer=True, allow_zero=True)
    _check_positive("max_duration_s", max_duration_s)
    args = arguments if arguments is not None else default_tool_calls(project_id or new_project_id())[tool]
    return await _reconnect(settings, calls, tool, args, max_reconnects, _Deadline.after(max_duration_s))


async def probe_error_cases_async(
    ws_url: str,
    *,
    project_id: str | None = None,
    no_reply_timeout_s: float = 2.0,
    max_duration_s: float = 60.0,
    protocol_version: str = DEFAULT_PROTOCOL_VERSION,
    open_timeout_s: float = 5.0,
    compression: str | None = "deflate",
    subprotocols: Sequence[str] = ("mcp",),
) -> tuple[ErrorCaseResult, ...]:
    """Send an unknown method, bad params, an unknown tool, bad tool arguments, malformed JSON and a
    request without method; record the reply (or its absence after `no_reply_timeout_s`) and whether
    the connection still answers a ping afterwards."""
    settings = _settings(ws_url, protocol_version, open_timeout_s, no_reply_timeout_s, compression, subprotocols)
    _check_positive("max_duration_s", max_duration_s)
    return await _error_cases(
        settings, project_id or new_project_id(), no_reply_timeout_s, _Deadline.after(max_duration_s)
    )


async def probe_mcp_async(
    ws_url: str,
    *,
    connect_samples: int = 10,
    calls_per_tool: int = 10,
    tool_calls: Mapping[str, Mapping[str, Any]] | None = None,
    project_id: str | None = None,
    concurrency_levels: Sequence[int] = (1, 5, 10, 20),
    calls_per_connection: int = 5,
    reconnect_calls: int = 10,
    error_cases: bool = True,
    protocol_version: str = DEFAULT_PROTOCOL_VERSION,
    versions: Sequence[str] = HANDSHAKE_PROTOCOL_VERSIONS,
    open_timeout_s: float = 5.0,
    message_timeout_s: float = 5.0,
    no_reply_timeout_s: float = 2.0,
    level_timeout_s: float = 30.0,
    max_duration_s: float = 180.0,
    compression: str | None = "deflate",
    subprotocols: Sequence[str] = ("mcp",),
    progress: Callable[[str], None] | None = None,
) -> McpProbeReport:
    """The whole probe against one MCP WebSocket URL; see the package docstring.

    `tool_calls` maps tool name → arguments (`{i}` in a string becomes the call index); the default
    calls the brain service's `create_character` and `find_similar_characters` in a fresh project
    `workbook-probe-<hex>` (against a live service this creates characters). `reconnect_calls=0` or
    `error_cases=False` skip those stages; an empty `concurrency_levels` skips the sweep.
    `versions` are the protocol versions to handshake with, one fresh connection each (any string
    may be tried: an unknown one shows how the server negotiates). `progress` gets one line per
    stage (pass `workbook.log` for headless runs). The whole run stops at `max_duration_s`; what it
    could not do by then is counted as failed with the kind "deadline".
    """
    settings = _settings(ws_url, protocol_version, open_timeout_s, message_timeout_s, compression, subprotocols)
    _check_positive("connect_samples", connect_samples, integer=True)
    _check_positive("calls_per_tool", calls_per_tool, integer=True)
    _check_positive("reconnect_calls", reconnect_calls, integer=True, allow_zero=True)
    _check_positive("max_duration_s", max_duration_s)
    project = project_id or new_project_id()
    calls = dict(tool_calls) if tool_calls is not None else default_tool_calls(project)
    if not calls:
        raise McpUsageError("tool_calls must name at least one tool, got an empty mapping")
    say = progress or (lambda _line: None)
    deadline = _Deadline.after(max_duration_s)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()

    for version in versions:
        if not isinstance(version, str) or not version:
            raise McpUsageError(f"versions must be protocol version strings, got {version!r}")
    say(f"connect x{connect_samples}")
    connect = await _connect_samples(settings, connect_samples, deadline)
    say("handshake, tools/list, tool round trips")
    handshake, tools, per_tool = await _session(settings, calls, calls_per_tool, deadline)
    say(f"handshake with each of {len(versions)} protocol versions")
    handshake_versions = await _versions(settings, versions, deadline)
    levels: list[ConcurrencyLevel] = []
    for n in concurrency_levels:
        say(f"concurrency {n}")
        if deadline.passed:
            break
        level_budget = min(level_timeout_s, max(deadline.left, 0.001))
        levels.extend(
            await probe_concurrency_async(
                ws_url,
                (n,),
                calls_per_connection=calls_per_connection,
                tool_calls=calls,
                level_timeout_s=level_budget,
                protocol_version=protocol_version,
                open_timeout_s=open_timeout_s,
                message_timeout_s=message_timeout_s,
                compression=compression,
                subprotocols=subprotocols,
            )
        )
    reconnect = None
    if reconnect_calls and not deadline.passed:
        say("reconnect")
        tool = "find_similar_characters" if "find_similar_characters" in calls else next(iter(calls))
        reconnect = await _reconnect(settings, reconnect_calls, tool, calls[tool], 20, deadline)
    cases: tuple[ErrorCaseResult, ...] = ()
    if error_cases and not deadline.passed:
        say("error cases")
        case_settings = _settings(
            ws_url, protocol_version, open_timeout_s, no_reply_timeout_s, compression, subprotocols
        )
        cases = await _error_cases(case_settings, project, no_reply_timeout_s, deadline)
    return McpProbeReport(
        ws_url=ws_url,
        started_at=started_at,
        duration_s=time.perf_counter() - t0,
        settings={
            "protocol_version": protocol_version,
            "versions": list(versions),
            "compression": compression,
            "subprotocols": list(subprotocols),
            "connect_samples": connect_samples,
            "calls_per_tool": calls_per_tool,
            "concurrency_levels": list(concurrency_levels),
            "calls_per_connection": calls_per_connection,
            "reconnect_calls": reconnect_calls,
            "open_timeout_s": open_timeout_s,
            "message_timeout_s": message_timeout_s,
            "no_reply_timeout_s": no_reply_timeout_s,
            "max_duration_s": max_duration_s,
            "project_id": project,
            "tools_called": list(calls),
        },
        connect=connect,
        handshake=handshake,
        tools=tools,
        tool_calls=per_tool,
        concurrency=tuple(levels),
        reconnect=reconnect,
        error_cases=cases,
        handshake_versions=handshake_versions,
    )


probe_mcp = synchronous(probe_mcp_async)
probe_concurrency = synchronous(probe_concurrency_async)
probe_reconnect = synchronous(probe_reconnect_async)
probe_error_cases = synchronous(probe_error_cases_async)
