"""JSON-RPC 2.0 / MCP dispatch for one connection at `/mcp` (no network here: text in, reply
dict out), and `BrainApp`, the state both dialects share.

Handshake-era MCP (2024-11-05 … 2025-11-25): `initialize` must come first (only `ping` is
answered before it), then `tools/list` and `tools/call`. Errors follow JSON-RPC 2.0: -32700 parse
error (id null), -32600 invalid request, -32601 unknown method, -32602 invalid params (also an
unknown tool or arguments that do not match the tool's schema), -32603 internal error.
Notifications (no id) are never answered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._requestlog import RequestLog, request_id_of
from ._characters import CharacterService, EmbeddingProvider
from ._embeddings import Embedder
from ._options import OptionsHolder
from ._store import CharacterStore
from ._switches import BrainFaults
from ._tooljson import ToolJson
from ._tools import TOOLS_BY_NAME, ToolArgumentsError, ToolExecutionError, ToolRunner

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

# The codes the `wrong_error_codes` switch answers as -32603 instead.
MISCODED = (PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND)

SUPPORTED_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
LATEST_VERSION = SUPPORTED_VERSIONS[-1]
SERVER_NAME = "workbook-brain-standin"
SERVER_VERSION = "0.1.0"
EMBEDDING_META_KEY = "workbook/embedding"
# What the `accept_invalid_tool_calls` switch answers to a call that should have been rejected.
ACCEPTED_ANYWAY: dict[str, Any] = {"content": [{"type": "text", "text": "ok"}], "isError": False}


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            body["data"] = self.data
        return body


@dataclass
class Stats:
    connections_total: int = 0
    connections_open: int = 0
    connections_dropped: int = 0
    messages: int = 0
    requests: int = 0
    errors_by_code: dict[int, int] = field(default_factory=dict)
    injected_errors: int = 0
    pings_answered: int = 0
    pings_unanswered: int = 0
    tool_json_errors: int = 0
    started: float = field(default_factory=time.monotonic)

    def snapshot(self) -> dict[str, Any]:
        return {
            "connections_total": self.connections_total,
            "connections_open": self.connections_open,
            "connections_dropped": self.connections_dropped,
            "messages": self.messages,
            "requests": self.requests,
            "errors_by_code": {str(k): v for k, v in sorted(self.errors_by_code.items())},
            "injected_errors": self.injected_errors,
            "server_pings_answered": self.pings_answered,
            "server_pings_unanswered": self.pings_unanswered,
            "tool_json_errors": self.tool_json_errors,
            "uptime_s": round(time.monotonic() - self.started, 3),
        }


class BrainApp:
    """State shared by all connections of both dialects and the REST routes: store, embedding
    provider, character service, fault switches, counters."""

    def __init__(
        self,
        embedder: Embedder,
        faults: BrainFaults,
        store: CharacterStore | None = None,
        options: OptionsHolder | None = None,
        *,
        time_scale: float = 1.0,
        api_key: str = "",
    ) -> None:
        self.embedder = embedder
        self.faults = faults
        self.api_key = api_key
        self.options = options or OptionsHolder()
        self.store = store if store is not None else CharacterStore()  # an empty store is falsy
        self.provider = EmbeddingProvider(embedder, faults, time_scale=time_scale)
        self.characters = CharacterService(self.store, self.provider, faults)
        self.tools = ToolRunner(self.characters, self.options)
        self.stats = Stats()
        # Tool calls of both dialects (with the correlation id an MCP call carries in `params._meta`),
        # served on the admin port: evidence the brain itself recorded.
        self.requests = RequestLog("brain")
        self.tool_json = ToolJson(self.characters, faults, self.requests)

    def info(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "service": "brain",
            "dialects": {"/": "tool-json", "/mcp": "mcp-jsonrpc"},
            "embedding_calls": self.provider.calls,
            "server": {"name": SERVER_NAME, "version": SERVER_VERSION},
            "protocol_versions": list(SUPPORTED_VERSIONS),
            "embedding": dict(self.embedder.label),
            "characters": len(self.store),
            "projects": self.store.project_count,
            "faults": self.faults.snapshot()["faults"],
            "options": self.options.current.model_dump(),
            **self.stats.snapshot(),
        }


class Session:
    """One connection's protocol state."""

    def __init__(self, app: BrainApp) -> None:
        self.app = app
        self.protocol_version: str | None = None
        self.client_initialized = False
        self.messages = 0

    async def handle(self, raw: str | bytes) -> dict[str, Any] | None:
        """The reply to one incoming message, or None when JSON-RPC says not to reply."""
        self.messages += 1
        self.app.stats.messages += 1
        request_id: Any = None
        is_notification = False
        try:
            try:
                message = json.loads(raw)
            except ValueError as error:
                raise RpcError(PARSE_ERROR, f"Parse error: {error}") from None
            if isinstance(message, list):
                # JSON-RPC batches were removed from MCP in 2025-06-18.
                raise RpcError(INVALID_REQUEST, "Invalid Request: batches are not supported")
            if not isinstance(message, dict):
                raise RpcError(INVALID_REQUEST, f"Invalid Request: expected an object, got {type(message).__name__}")
            if "id" in message:
                if isinstance(message["id"], bool) or not isinstance(message["id"], str | int):
                    raise RpcError(INVALID_REQUEST, "Invalid Request: id must be a string or an integer")
                request_id = message["id"]
            if "method" not in message and ("result" in message or "error" in message):
                return None  # a response to a server-to-client request; this server sends none
            if message.get("jsonrpc") != "2.0":
                raise RpcError(INVALID_REQUEST, "Invalid Request: jsonrpc must be '2.0'")
            method = message.get("method")
            if not isinstance(method, str):
                raise RpcError(INVALID_REQUEST, "Invalid Request: method must be a string")
            is_notification = "id" not in message
            params = message.get("params", {})
            if not isinstance(params, dict):
                raise RpcError(INVALID_PARAMS, "Invalid params: params must be an object")
            if is_notification:
                self._notification(method)
                return None
            self.app.stats.requests += 1
            result = await self._request(method, params)
            return {"jsonrpc": "2.0", "id": request_id, "result": result}
        except RpcError as error:
            if self.app.faults.on("wrong_error_codes") and error.code in MISCODED:
                error = RpcError(INTERNAL_ERROR, f"Internal error (wrong_error_codes switch; was {error.code})")
            stats = self.app.stats
            stats.errors_by_code[error.code] = stats.errors_by_code.get(error.code, 0) + 1
            if is_notification:
                return None  # JSON-RPC: a notification is never answered, not even with an error
            return {"jsonrpc": "2.0", "id": request_id, "error": error.body()}

    def _notification(self, method: str) -> None:
        if method == "notifications/initialized":
            self.client_initialized = True
        # Other notifications (cancelled, progress, ...) need no action from this stand-in.

    async def _request(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if method == "ping":
            return {}
        if method == "initialize":
            return self._initialize(params)
        if method in ("tools/list", "tools/call") and self.protocol_version is None:
            raise RpcError(INVALID_REQUEST, f"Invalid Request: {method} before initialize")
        if method == "tools/list":
            return {"tools": self.app.tools.listing(), **self._meta()}
        if method == "tools/call":
            return await self._call(params)
        raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")

    def _meta(self) -> dict[str, Any]:
        return {"_meta": {EMBEDDING_META_KEY: dict(self.app.embedder.label)}}

    def _initialize(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if self.protocol_version is not None:
            raise RpcError(INVALID_REQUEST, "Invalid Request: this connection is already initialized")
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            raise RpcError(INVALID_PARAMS, "Invalid params: initialize needs protocolVersion (a string)")
        # Spec: answer with the requested version if supported, else with our latest.
        self.protocol_version = requested if requested in SUPPORTED_VERSIONS else LATEST_VERSION
        embedding = self.app.embedder.label
        instructions = "Character store with similarity search, per project."
        title = f"Brain service (sandbox; embeddings: {embedding['kind']} {embedding['name']})"
        if not embedding.get("semantic", False):
            instructions += " Embeddings are a DETERMINISTIC FALLBACK (lexical hashing), not a language model."
        return {
            "protocolVersion": self.protocol_version,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {
                "name": SERVER_NAME,
                "version": SERVER_VERSION,
                "title": title,
            },
            "instructions": instructions,
            **self._meta(),
        }

    async def _call(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params.get("name")
        if not isinstance(name, str):
            raise RpcError(INVALID_PARAMS, "Invalid params: tools/call needs a tool name (string)")
        accept_anything = self.app.faults.on("accept_invalid_tool_calls")
        tool = TOOLS_BY_NAME.get(name)
        if tool is None:
            if accept_anything:
                return ACCEPTED_ANYWAY
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}", {"known": sorted(TOOLS_BY_NAME)})
        arguments = params.get("arguments", {})
        try:
            parsed = self.app.tools.parse(tool, arguments)
        except ToolArgumentsError as error:
            if accept_anything:
                return ACCEPTED_ANYWAY
            raise RpcError(INVALID_PARAMS, f"Invalid params: {error}", {"errors": error.errors}) from None
        if self.app.faults.inject_error():
            self.app.stats.injected_errors += 1
            raise RpcError(
                INTERNAL_ERROR,
                "Internal error (injected by the error_rate fault switch)",
                {"fault": "error_rate"},
            )
        fields = {k: v for k, v in parsed.model_dump().items() if k in ("project_id", "character_id")}
        with self.app.requests.timed(request_id_of(params.get("_meta")), f"tools/call {name}", **fields) as note:
            try:
                return await self.app.tools.call(tool, parsed)
            except ToolExecutionError as error:
                note["error"] = str(error)
                return {"content": [{"type": "text", "text": str(error)}], "isError": True}
