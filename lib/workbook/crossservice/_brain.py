"""The brain's MCP tools as the notebook calls them: one connection kept on a `LoopThread`, each
call carrying the correlation id in `params._meta` (reconnects once if the connection was lost)."""

from __future__ import annotations

import time
from typing import Any

from .._sync import LoopThread
from ..mcp import McpClient, tool_data

PROTOCOL_VERSION = "2025-06-18"
META_KEY = "x-request-id"


class BrainError(Exception):
    """A tool call failed (JSON-RPC error, tool error, connection lost)."""


def tool_payload(result: dict[str, Any]) -> dict[str, Any]:
    """The payload of a tool result, read in every shape correct servers send by `workbook.mcp`'s
    `tool_data` (structured or text, FastMCP's wrapped list); a list comes back as `{"results": [...]}`,
    and similarity results get a `score` (cosine) also when ranked by `distance`."""
    data = tool_data(result.get("content", []), result.get("structuredContent"))
    payload = dict(data) if isinstance(data, dict) else {"results": data if isinstance(data, list) else []}
    if isinstance(payload.get("results"), list):
        payload["results"] = [_scored(item) for item in payload["results"] if isinstance(item, dict)]
    return payload


def _scored(item: dict[str, Any]) -> dict[str, Any]:
    # distance = 1 - cosine (the brain's `ranking: distance` shape, ascending)
    if "score" not in item and isinstance(item.get("distance"), int | float):
        return {**item, "score": 1.0 - float(item["distance"])}
    return item


class BrainTools:
    def __init__(self, ws_url: str, *, timeout_s: float) -> None:
        self.ws_url = ws_url
        self.timeout_s = timeout_s
        self._loop = LoopThread("crossservice-brain")
        self._client: McpClient | None = None

    async def _connect(self) -> McpClient:
        client = await McpClient.open(self.ws_url, open_timeout_s=self.timeout_s, message_timeout_s=self.timeout_s)
        await client.initialize(PROTOCOL_VERSION)
        return client

    async def _call(self, tool: str, arguments: dict[str, Any], rid: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"name": tool, "arguments": arguments}
        if rid:
            params["_meta"] = {META_KEY: rid}
        for attempt in (1, 2):
            if self._client is None or self._client.closed:
                self._client = await self._connect()
            try:
                result = await self._client.request("tools/call", params)
                break
            except Exception as error:  # one reconnect: the brain may have dropped an idle connection
                await self._drop()
                if attempt == 2:
                    raise BrainError(f"{tool}: {type(error).__name__}: {error}") from None
        if result.get("isError"):
            text = " ".join(str(item.get("text", "")) for item in result.get("content", []))
            raise BrainError(f"{tool} returned a tool error: {text}")
        return tool_payload(result)

    async def _drop(self) -> None:
        if self._client is not None:
            try:
                await self._client.close()
            finally:
                self._client = None

    def call(self, tool: str, arguments: dict[str, Any], *, rid: str | None = None) -> dict[str, Any]:
        return self._loop.call(self._call(tool, arguments, rid), timeout_s=self.timeout_s * 3, what=f"brain {tool}")

    def timed(self, tool: str, arguments: dict[str, Any], *, rid: str | None = None) -> tuple[dict[str, Any], float]:
        started = time.perf_counter()
        payload = self.call(tool, arguments, rid=rid)
        return payload, time.perf_counter() - started

    def similar(
        self, project_id: str, *, rid: str | None = None, top_k: int = 100, **query: Any
    ) -> list[dict[str, Any]]:
        payload = self.call("find_similar_characters", {"project_id": project_id, "top_k": top_k, **query}, rid=rid)
        return list(payload.get("results", []))

    def close(self) -> None:
        if not self._loop.closed:
            try:
                self._loop.call(self._drop(), timeout_s=5, what="close brain connection")
            finally:
                self._loop.close()
