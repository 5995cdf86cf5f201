"""Stage 2: one session (the dialect's handshake, `tools/list` where the dialect has one, per-tool
round trips), and for MCP a handshake per protocol version (how the server negotiates).

A reply in another dialect's envelope ends the session at once: `McpDialectError` propagates to
the probe, which stops there and reports the mismatch (never counted as slow or failing calls).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from ._brain import BrainSession
from ._errors import McpDialectError, McpError, McpRpcError, error_kind
from ._results import HandshakeResult, LatencySummary, ToolInfo, ToolsListResult
from ._settings import ConnectionSettings
from ._stage import DEADLINE, EMBEDDING_META_KEY, Deadline, Tally, bounded, fill, handshake, open_client

SessionResult = tuple[HandshakeResult, ToolsListResult | None, dict[str, LatencySummary]]
NO_HANDSHAKE = "none (the dialect has no handshake)"


async def timed_handshake(client: BrainSession, protocol_version: str, deadline: Deadline) -> HandshakeResult:
    if not client.has_handshake:
        return HandshakeResult(True, NO_HANDSHAKE)
    started = time.perf_counter()
    try:
        init = await bounded(handshake(client, protocol_version), deadline)
    except TimeoutError:
        return HandshakeResult(False, protocol_version, error=f"{DEADLINE}: the run's deadline passed")
    except McpDialectError:
        raise
    except McpRpcError as error:
        hint = await client.handshake_hint(error)
        return HandshakeResult(False, protocol_version, error=f"{error_kind(error)}: {error}{hint}")
    except McpError as error:
        return HandshakeResult(False, protocol_version, error=f"{error_kind(error)}: {error}")
    assert init is not None
    return HandshakeResult(
        True,
        protocol_version,
        init["protocolVersion"],
        dict(init.get("serverInfo") or {}),
        dict(init.get("capabilities") or {}),
        time.perf_counter() - started,
    )


async def versions(
    settings: ConnectionSettings, wanted: Sequence[str], deadline: Deadline
) -> tuple[HandshakeResult, ...]:
    """One fresh connection and handshake per protocol version in `wanted` (MCP only)."""
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
        if not shaken.ok:
            return shaken, ToolsListResult(False, error="not attempted: handshake failed"), fail_all("handshake_failed")
        tools = await tools_list(client, deadline)
        for i in range(calls_per_tool):
            for name, arguments in tool_calls.items():
                if deadline.passed:
                    tallies[name].errors.append(DEADLINE)
                else:
                    await _call(client, name, fill(arguments, i), tallies[name])
        return shaken, tools, {name: tally.summary(name) for name, tally in tallies.items()}
    finally:
        await client.close()


async def _call(client: BrainSession, name: str, arguments: dict[str, Any], tally: Tally) -> None:
    if client.closed:
        tally.errors.append("connection_closed")
        return
    try:
        call = await client.call_tool(name, arguments)
    except McpDialectError:
        raise
    except McpError as error:
        tally.errors.append(error_kind(error))
    else:
        tally.samples.append(call.latency_s)


async def tools_list(client: BrainSession, deadline: Deadline) -> ToolsListResult | None:
    """`tools/list` (None for a dialect without a tool listing)."""
    started = time.perf_counter()
    try:
        raw_tools = await bounded(client.list_tools(), deadline)
    except McpDialectError:
        raise
    except (McpError, TimeoutError) as error:
        kind = error_kind(error) if isinstance(error, McpError) else DEADLINE
        return ToolsListResult(False, error=f"{kind}: {error}")
    if raw_tools is None:
        return None
    latency = time.perf_counter() - started
    tools = tuple(
        ToolInfo(str(t.get("name", "")), str(t.get("description", "")), dict(t.get("inputSchema") or {}))
        for t in raw_tools
        if isinstance(t, dict)
    )
    embedding = client.server_meta.get(EMBEDDING_META_KEY)
    return ToolsListResult(True, tools, latency, embedding=embedding if isinstance(embedding, dict) else None)
