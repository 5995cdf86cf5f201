"""Choosing a brain dialect: the registry, the dialects' default vocabularies, and auto-detection.

The brain's WebSocket dialects behind one interface (`_brain.BrainSession`), one module each:
`tool_json` (the movie brain's own flat `{"tool": ...}` envelope) and `mcp_jsonrpc` (MCP,
JSON-RPC 2.0). `brain_protocol: auto` decides in ONE round trip (`detect`): it sends MCP's
`initialize`; a JSON-RPC answer is MCP (the handshake is then done), a `{"status": ...}` answer is
tool-json (the same connection goes on in it), anything else in valid JSON names the server as
speaking neither, at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .._brain import BrainSession, BrainTools
from .._client import McpClient
from .._errors import McpDialectError, McpError, McpRpcError, McpUsageError
from .._settings import ConnectionSettings
from .mcp_jsonrpc import DEFAULT_TOOLS as MCP_TOOLS
from .mcp_jsonrpc import NAME as MCP
from .mcp_jsonrpc import McpJsonRpcSession
from .tool_json import DEFAULT_TOOLS as TOOL_JSON_TOOLS
from .tool_json import NAME as TOOL_JSON
from .tool_json import ToolJsonSession, is_reply

DIALECTS: dict[str, type[BrainSession]] = {
    TOOL_JSON: ToolJsonSession,
    MCP: McpJsonRpcSession,
}
DEFAULT_TOOLS: dict[str, BrainTools] = {
    TOOL_JSON: TOOL_JSON_TOOLS,
    MCP: MCP_TOOLS,
}
AUTO = "auto"
PROTOCOLS = (*DIALECTS, AUTO)
EITHER = " or ".join(DIALECTS)


def dialect_class(name: str) -> type[BrainSession]:
    """The session class of a dialect name (UsageError naming the known ones)."""
    if name not in DIALECTS:
        raise McpUsageError(f"brain_protocol: unknown dialect {name!r}; known: {', '.join(PROTOCOLS)}")
    return DIALECTS[name]


def tools_for(name: str, overrides: dict[str, Any] | None = None) -> BrainTools:
    """A dialect's default vocabulary with the params' overrides applied."""
    dialect_class(name)
    return BrainTools.with_overrides(DEFAULT_TOOLS[name], overrides)


@dataclass(frozen=True)
class Detected:
    """What auto-detection found, and the evidence: the frame the server answered with."""

    dialect: str
    frame: Any
    latency_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"dialect": self.dialect, "frame": self.frame, "latency_s": self.latency_s}


async def detect(settings: ConnectionSettings) -> tuple[BrainSession, Detected]:
    """Open a connection, send `initialize`, and return a session in the dialect that answered.

    Raises McpConnectError (could not connect) or McpDialectError (valid JSON in neither envelope,
    or no answer in time: a server that says nothing speaks neither, as far as can be told)."""
    client = await McpClient.open(
        settings.ws_url,
        open_timeout_s=settings.open_timeout_s,
        message_timeout_s=settings.message_timeout_s,
        subprotocols=settings.subprotocols,
        compression=settings.compression,
        headers=dict(settings.headers),
    )
    started = time.perf_counter()
    try:
        result = await client.initialize(settings.protocol_version)
    except McpDialectError as other:
        if is_reply(other.frame):
            connection = await client.detach()
            tools = tools_for(TOOL_JSON, settings.brain_tools)
            session = ToolJsonSession.adopt(connection, settings, tools, client.connect_s)
            return session, Detected(TOOL_JSON, other.frame, time.perf_counter() - started)
        await client.close()
        raise McpDialectError(settings.ws_url, EITHER, other.frame, other.frames) from None
    except McpRpcError:
        # A JSON-RPC error answer is MCP refusing `initialize`: the handshake stage says why.
        return McpJsonRpcSession(client, tools_for(MCP, settings.brain_tools)), Detected(
            MCP, client.frames[-1] if client.frames else None, time.perf_counter() - started
        )
    except McpError as error:
        await client.close()
        frames = tuple(client.frames)
        raise McpDialectError(
            settings.ws_url, EITHER, frames[-1] if frames else f"no answer to initialize ({error})", frames
        ) from None
    mcp = McpJsonRpcSession(client, tools_for(MCP, settings.brain_tools))
    mcp.handshaken = result
    return mcp, Detected(MCP, result, time.perf_counter() - started)
