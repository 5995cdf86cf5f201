"""`mcp-jsonrpc`: MCP over WebSocket, JSON-RPC 2.0, handshake-era (2024-11-05 … 2025-11-25):
`initialize`, `tools/list`, `tools/call`, `ping` (the `McpClient`). Spoken by MCP servers on the
WebSocket transport (the MCP Python SDK's FastMCP before 2.x, the sandbox brain's `/mcp`).

Its default vocabulary is that of those servers' character tools: `create_character(name,
description, project_id)`, `find_similar_characters(project_id, query, top_k)`, results read in
every shape correct servers produce (`_shapes`), ranked by a `score` descending or a `distance`
ascending. The real movie brain's JSON-RPC server speaks only stdio; its WebSocket is `tool-json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Self

from .._brain import BrainSession, BrainTools, RawReply
from .._client import McpClient, ToolCallResult
from .._errors import McpConnectionClosedError, McpError, McpRpcError, McpTimeoutError
from .._settings import ConnectionSettings
from .._shapes import character_of, results_of

NAME = "mcp-jsonrpc"
DEFAULT_TOOLS = BrainTools(
    personality_arg="description",
    appearance_arg=None,
    limit_arg="top_k",
    created_id_field=None,
    score_field="score",
    ranking="auto",
    max_results=None,
)


class McpJsonRpcSession(BrainSession):
    dialect = NAME
    has_handshake = True
    liveness = "a ping"

    def __init__(self, client: McpClient, tools: BrainTools) -> None:
        super().__init__(client.ws_url, client.connect_s, tools)
        self.client = client
        # The initialize result when auto-detection already shook hands on this connection.
        self.handshaken: dict[str, Any] | None = None

    @classmethod
    async def connect(cls, settings: ConnectionSettings, tools: BrainTools) -> Self:
        client = await McpClient.open(
            settings.ws_url,
            open_timeout_s=settings.open_timeout_s,
            message_timeout_s=settings.message_timeout_s,
            subprotocols=settings.subprotocols,
            compression=settings.compression,
            headers=dict(settings.headers),
        )
        return cls(client, tools)

    @property
    def closed(self) -> bool:
        return self.client.closed

    @property
    def messages_sent(self) -> int:
        return self.client.messages_sent

    @property
    def server_messages(self) -> tuple[str, ...]:
        return tuple(self.client.server_messages)

    async def handshake(self, protocol_version: str) -> dict[str, Any] | None:
        if self.handshaken is not None:
            return self.handshaken
        self.handshaken = await self.client.initialize(protocol_version)
        return self.handshaken

    async def handshake_hint(self, error: Exception) -> str:
        """A server without `initialize` may speak the stateless 2026-07-28 era; say so if it does."""
        if not isinstance(error, McpRpcError) or error.code != -32601:
            return ""
        try:
            result = await self.client.request("server/discover", {})
        except McpError:
            return ""
        versions = result.get("supportedVersions")
        return f" (the server answers server/discover: stateless-era MCP, supportedVersions {versions!r})"

    async def list_tools(self) -> list[dict[str, Any]] | None:
        return await self.client.list_tools()

    @property
    def server_meta(self) -> Mapping[str, Any]:
        meta = (self.client.initialize_result or {}).get("_meta")
        return meta if isinstance(meta, dict) else {}

    async def call_tool(
        self, name: str, arguments: Mapping[str, Any], *, raise_on_error: bool = True
    ) -> ToolCallResult:
        return await self.client.call_tool(name, dict(arguments), raise_on_error=raise_on_error)

    async def create_character(self, project_id: str, name: str, personality: str, appearance: str) -> str:
        tools = self.tools
        call = await self.call_tool(
            tools.create_tool, tools.create_arguments(project_id, name, personality, appearance)
        )
        if tools.created_id_field and isinstance(call.data, dict) and tools.created_id_field in call.data:
            return str(call.data[tools.created_id_field])
        return str(character_of(tools.create_tool, call.data)["id"])

    async def find_similar(self, project_id: str, query: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        tools = self.tools
        call = await self.call_tool(tools.find_tool, tools.find_arguments(project_id, query, limit))
        return results_of(tools.find_tool, call.data)

    async def send_raw(self, text: str, *, timeout_s: float) -> RawReply:
        try:
            reply = await self.client.send_raw(text, timeout_s=timeout_s)
        except McpConnectionClosedError:
            return RawReply("connection_closed")
        if reply is None:
            return RawReply("no_reply")
        if isinstance(reply, dict) and isinstance(reply.get("error"), dict):
            error = reply["error"]
            return RawReply("reply", reply, True, int(error.get("code", 0)), str(error.get("message", "")))
        return RawReply("reply", reply, False, None, json.dumps(reply)[:200] if not isinstance(reply, str) else reply)

    async def request(self, method: str, params: dict[str, Any], *, timeout_s: float) -> RawReply:
        """A JSON-RPC request (for the protocol's own error cases)."""
        try:
            await self.client.request(method, params, timeout_s=timeout_s)
        except McpRpcError as error:
            return RawReply("reply", None, True, error.code, error.rpc_message)
        except McpTimeoutError:
            return RawReply("no_reply")
        except McpConnectionClosedError:
            return RawReply("connection_closed")
        return RawReply("reply")

    async def still_answers(self, *, timeout_s: float) -> bool:
        """A `ping` request must still be answered."""
        if self.client.closed:
            return False
        try:
            await self.client.ping(timeout_s=timeout_s)
        except McpError:
            return False
        return True

    async def close(self) -> None:
        await self.client.close()
