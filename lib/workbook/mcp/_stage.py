"""What every probe stage shares: opening a session, the run's deadline, tallies of samples and
errors, and the brain service's default tool calls.

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

from ._client import McpClient
from ._errors import McpProtocolError
from ._results import LatencySummary
from ._settings import HANDSHAKE_PROTOCOL_VERSIONS, ConnectionSettings

T = TypeVar("T")
DEADLINE = "deadline"
EMBEDDING_META_KEY = "workbook/embedding"


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


async def open_client(settings: ConnectionSettings) -> McpClient:
    return await McpClient.open(
        settings.ws_url,
        open_timeout_s=settings.open_timeout_s,
        message_timeout_s=settings.message_timeout_s,
        subprotocols=settings.subprotocols,
        compression=settings.compression,
    )


async def handshake(client: McpClient, protocol_version: str) -> dict[str, Any]:
    result = await client.initialize(protocol_version)
    negotiated = result["protocolVersion"]
    if negotiated not in HANDSHAKE_PROTOCOL_VERSIONS:
        # The spec says a client that cannot speak the server's version should disconnect.
        raise McpProtocolError(
            f"server negotiated protocol version {negotiated!r}; this client speaks {HANDSHAKE_PROTOCOL_VERSIONS}"
        )
    return result


async def open_session(settings: ConnectionSettings) -> McpClient:
    """A connection that has completed the handshake (closed again if the handshake fails)."""
    client = await open_client(settings)
    try:
        await handshake(client, settings.protocol_version)
    except BaseException:
        await client.close()
        raise
    return client
