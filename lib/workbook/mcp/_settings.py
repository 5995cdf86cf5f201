"""What an MCP probe is asked to do, validated once with pydantic (one line per bad value).

`ConnectionSettings` is how to reach the server; each probe entry point adds its own bounds.
Every loop a probe runs is bounded by a count and a deadline, so every count and duration here
is positive and finite.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from ..errors import UsageError
from ..notebook import NotebookSettings
from ..timing import Count, OptionalCount, PositiveSeconds
from ._brain import BrainTools
from ._errors import McpUsageError

DEFAULT_PROTOCOL_VERSION = "2025-11-25"
HANDSHAKE_PROTOCOL_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
# More connections than this is a load test of the machine, not of the server.
MAX_CONNECTIONS = 200
ToolCalls = dict[str, dict[str, Any]]


def check_ws_url(ws_url: object) -> str:
    parts = urlsplit(ws_url) if isinstance(ws_url, str) else None
    if parts is None or parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError("expected a ws:// or wss:// URL with a host")
    return str(ws_url)


class McpSettings(NotebookSettings):
    """Validated settings whose errors are `McpUsageError`s (a `workbook.UsageError`)."""

    @classmethod
    def of(cls, **values: Any) -> Self:
        try:
            return super().of(**values)
        except UsageError as error:
            raise McpUsageError(str(error)) from None


class ConnectionSettings(McpSettings):
    """How to reach one brain WebSocket endpoint and which dialect to speak to it: `tool-json` (the
    movie brain's `{"tool": ...}`), `mcp-jsonrpc` (handshake-era MCP), or `auto` (decided in one
    round trip). `brain_tools` overrides the dialect's tool/argument/result names."""

    ws_url: str
    dialect: Literal["tool-json", "mcp-jsonrpc", "auto"] = "auto"
    brain_tools: dict[str, Any] = Field(default_factory=dict)
    protocol_version: str = DEFAULT_PROTOCOL_VERSION
    open_timeout_s: PositiveSeconds = 5.0
    message_timeout_s: PositiveSeconds = 5.0
    compression: Literal["deflate"] | None = "deflate"
    subprotocols: tuple[str, ...] = ("mcp",)
    # Extra headers on the opening handshake (a profile's auth headers); never logged.
    headers: dict[str, str] = Field(default_factory=dict)
    # wss:// only: verify the server's certificate, against this CA bundle when given.
    verify_tls: bool = True
    ca_bundle: str = ""

    @field_validator("ws_url", mode="before")
    @classmethod
    def _ws_url(cls, value: object) -> str:
        return check_ws_url(value)

    @field_validator("brain_tools")
    @classmethod
    def _tools(cls, value: dict[str, Any]) -> dict[str, Any]:
        BrainTools.with_overrides(BrainTools(), value)  # unknown keys and bad values, named
        return value

    @field_validator("protocol_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if value not in HANDSHAKE_PROTOCOL_VERSIONS:
            raise ValueError(f"expected a handshake-era MCP version {HANDSHAKE_PROTOCOL_VERSIONS}")
        return value

    def connection(self) -> ConnectionSettings:
        """Only the connection part (what `open_session` needs), whatever subclass this is."""
        return ConnectionSettings.of(**{name: getattr(self, name) for name in ConnectionSettings.model_fields})


def _tool_calls(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if value is not None and not value:
        raise ValueError("expected at least one tool (name -> arguments), got an empty mapping")
    return value


Level = Annotated[int, Field(strict=True, ge=1, le=MAX_CONNECTIONS)]


class ConcurrencyOptions(ConnectionSettings):
    levels: tuple[Level, ...] = (1, 5, 10, 20)
    calls_per_connection: Count = 5
    tool_calls: ToolCalls | None = None
    project_id: str | None = None
    level_timeout_s: PositiveSeconds = 30.0

    _check_tool_calls = field_validator("tool_calls")(_tool_calls)


class ReconnectOptions(ConnectionSettings):
    calls: Count = 20
    # Empty: the dialect's find tool.
    tool: str = ""
    arguments: dict[str, Any] | None = None
    project_id: str | None = None
    max_reconnects: OptionalCount = 20
    max_duration_s: PositiveSeconds = 30.0


class ErrorCaseOptions(ConnectionSettings):
    project_id: str | None = None
    # How long a bad message may go unanswered before "no reply" is recorded (also the timeout of
    # each message of this stage: a server may legitimately never answer malformed input).
    message_timeout_s: PositiveSeconds = 2.0
    max_duration_s: PositiveSeconds = 60.0


class McpProbeOptions(ConnectionSettings):
    """Everything `probe_mcp` does; see its docstring."""

    connect_samples: Count = 10
    calls_per_tool: Count = 10
    tool_calls: ToolCalls | None = None
    project_id: str | None = None
    concurrency_levels: tuple[Level, ...] = (1, 5, 10, 20)
    calls_per_connection: Count = 5
    reconnect_calls: OptionalCount = 10
    error_cases: bool = True
    versions: tuple[Annotated[str, Field(min_length=1)], ...] = HANDSHAKE_PROTOCOL_VERSIONS
    no_reply_timeout_s: PositiveSeconds = 2.0
    level_timeout_s: PositiveSeconds = 30.0
    max_duration_s: PositiveSeconds = 180.0

    _check_tool_calls = field_validator("tool_calls")(_tool_calls)
