"""Stage 2: one session (handshake, `tools/list`, per-tool round trips), and a handshake per
protocol version (how the server negotiates)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from ._client import McpClient
from ._errors import McpError, McpRpcError, error_kind
from ._results import HandshakeResult, LatencySummary, ToolInfo, ToolsListResult
from ._settings import ConnectionSettings
from ._stage import DEADLINE, EMBEDDING_META_KEY, Deadline, Tally, bounded, fill, handshake, open_client

SessionResult = tuple[HandshakeResult, ToolsListResult, dict[str, LatencySummary]]


async def timed_handshake(client: McpClient, protocol_version: str, deadline: Deadline) -> HandshakeResult:
    started = time.perf_counter()
    try:
        init = await bounded(handshake(client, protocol_version), deadline)
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


async def versions(
    settings: ConnectionSettings, wanted: Sequence[str], deadline: Deadline
) -> tuple[HandshakeResult, ...]:
    """One fresh connection and handshake per protocol version in `wanted`."""
    results = []
    for version in wanted:
        if deadline.passed:
            results.append(HandshakeResult(False, version, error=f"{DEADLINE}: not run"))
            continue
        try:
            client = await open_client(settings)
        except McpError as error:
            results.append(HandshakeResult(False, version, error=f"{error_kind(error)}: {error}"))
            continue
        try:
            results.append(await timed_handshake(client, version, deadline))
        finally:
            await client.close()
    return tuple(results)


async def session(
    settings: ConnectionSettings, tool_calls: Mapping[str, Mapping[str, Any]], calls_per_tool: int, deadline: Deadline
) -> SessionResult:
    tallies = {name: Tally() for name in tool_calls}

    def fail_all(kind: str) -> dict[str, LatencySummary]:
        for tally in tallies.values():
            tally.errors.extend([kind] * (calls_per_tool - len(tally.samples) - len(tally.errors)))
        return {name: tally.summary(name) for name, tally in tallies.items()}

    try:
        client = await open_client(settings)
    except McpError as error:
        kind = error_kind(error)
        return (
            HandshakeResult(False, settings.protocol_version, error=f"{kind}: {error}"),
            ToolsListResult(False, error="not attempted: connection failed"),
            fail_all(kind),
        )
    try:
        shaken = await timed_handshake(client, settings.protocol_version, deadline)
        if not shaken.ok or client.initialize_result is None:
            return shaken, ToolsListResult(False, error="not attempted: handshake failed"), fail_all("handshake_failed")
        tools = await tools_list(client, client.initialize_result, deadline)
        for i in range(calls_per_tool):
            for name, arguments in tool_calls.items():
                if deadline.passed:
                    tallies[name].errors.append(DEADLINE)
                else:
                    await _call(client, name, fill(arguments, i), tallies[name])
        return shaken, tools, {name: tally.summary(name) for name, tally in tallies.items()}
    finally:
        await client.close()


async def _call(client: McpClient, name: str, arguments: dict[str, Any], tally: Tally) -> None:
    if client.closed:
        tally.errors.append("connection_closed")
        return
    try:
        call = await client.call_tool(name, arguments)
    except McpError as error:
        tally.errors.append(error_kind(error))
    else:
        tally.samples.append(call.latency_s)


async def tools_list(client: McpClient, init: Mapping[str, Any], deadline: Deadline) -> ToolsListResult:
    started = time.perf_counter()
    try:
        raw_tools = await bounded(client.list_tools(), deadline)
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
