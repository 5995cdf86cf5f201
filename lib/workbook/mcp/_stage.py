"""What every probe stage shares: the dialect (decided once when `auto`), opening a session in it,
the run's deadline, tallies of samples and errors, and the brain service's default tool calls.

Each stage is bounded by a count and by the run's deadline; whatever a stage could not do before
the deadline is counted as failed with the kind "deadline", never dropped from the figures.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._brain import BrainSession, BrainTools
from ._dialects import AUTO, Detected, detect, dialect_class, tools_for
from ._errors import McpProtocolError
from ._results import LatencySummary
from ._settings import HANDSHAKE_PROTOCOL_VERSIONS, ConnectionSettings

T = TypeVar("T")
DEADLINE = "deadline"
EMBEDDING_META_KEY = "workbook/embedding"


def default_tool_calls(project_id: str, tools: BrainTools | None = None) -> dict[str, dict[str, Any]]:
    """The brain's two tools with arguments in the dialect's vocabulary (default: the real movie
    brain's); `{i}` in a string is replaced by the call index."""
    tools = tools or BrainTools()
    return {
        tools.create_tool: tools.create_arguments(
            project_id,
            "probe character {i}",
            "a weathered lighthouse keeper who paints storms, probe sample {i}",
            "tall, grey-haired, in a salt-stained oilskin coat",
        ),
        tools.find_tool: tools.find_arguments(project_id, "lighthouse keeper painting storms", 5),
    }


def new_project_id(prefix: str = "probe") -> str:
    return f"workbook-{prefix}-{uuid.uuid4().hex[:12]}"


def fill(arguments: Mapping[str, Any], i: int) -> dict[str, Any]:
    return {k: v.replace("{i}", str(i)) if isinstance(v, str) else v for k, v in arguments.items()}


def counts(kinds: Iterable[str]) -> dict[str, int]:
    return dict(Counter(kinds))


@dataclass
class Deadline:
    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    @property
    def left(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.left <= 0


@dataclass
class Tally:
    samples: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self, operation: str) -> LatencySummary:
        return LatencySummary.build(operation, self.samples, self.errors)


async def bounded(awaitable: Awaitable[T], deadline: Deadline) -> T:
    if deadline.passed:
        raise TimeoutError
    return await asyncio.wait_for(awaitable, timeout=deadline.left)


async def resolve(settings: ConnectionSettings) -> tuple[ConnectionSettings, Detected | None]:
    """The settings with a concrete dialect: `auto` is decided once, in one round trip, on a
    connection of its own (McpConnectError / McpDialectError when that cannot be done)."""
    if settings.dialect != AUTO:
        dialect_class(settings.dialect)
        return settings, None
    session, found = await detect(settings)
    await session.close()
    return settings.model_copy(update={"dialect": found.dialect}), found


def tools_of(settings: ConnectionSettings) -> BrainTools:
    return tools_for(settings.dialect, settings.brain_tools)


async def open_client(settings: ConnectionSettings) -> BrainSession:
    """A connection in the settings' (concrete) dialect, before any handshake."""
    return await dialect_class(settings.dialect).connect(settings, tools_of(settings))


async def handshake(client: BrainSession, protocol_version: str) -> dict[str, Any] | None:
    """The dialect's opening exchange (MCP `initialize`; nothing in tool-json)."""
    result = await client.handshake(protocol_version)
    if result is None:
        return None
    negotiated = result["protocolVersion"]
    if negotiated not in HANDSHAKE_PROTOCOL_VERSIONS:
        # The spec says a client that cannot speak the server's version should disconnect.
        raise McpProtocolError(
            f"server negotiated protocol version {negotiated!r}; this client speaks {HANDSHAKE_PROTOCOL_VERSIONS}"
        )
    return result


async def connect_brain(ws_url: str, **options: Any) -> BrainSession:
    """A ready session to the brain at `ws_url` (async; use it on one event loop, e.g. a
    `workbook.LoopThread`). Options: `dialect` (`tool-json`, `mcp-jsonrpc`, `auto`: decided on
    this very connection, in one round trip), `brain_tools`, `headers`, `protocol_version`, the
    timeouts. Its `dialect` says what it speaks. Raises McpConnectError / McpDialectError."""
    settings = ConnectionSettings.of(ws_url=ws_url, **options)
    if settings.dialect == AUTO:
        session, _ = await detect(settings)
        try:
            await handshake(session, settings.protocol_version)
        except BaseException:
            await session.close()
            raise
        return session
    return await open_session(settings)


async def open_session(settings: ConnectionSettings) -> BrainSession:
    """A connection that has completed the dialect's handshake (closed again if it fails)."""
    client = await open_client(settings)
    try:
        await handshake(client, settings.protocol_version)
    except BaseException:
        await client.close()
        raise
    return client
