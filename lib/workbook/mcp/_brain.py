"""The one small client interface every brain dialect implements (`BrainSession`), and the
vocabulary that varies inside a dialect (`BrainTools`: tool names, argument names, result fields)
as options whose defaults are each dialect's real speaker's.

    session = await dialect.connect(settings, tools)   # the WebSocket opening handshake, timed
    await session.handshake()                          # MCP `initialize`; nothing in tool-json
    character_id = await session.create_character(project, name, personality, appearance)
    results = await session.find_similar(project, query, limit=5)   # [{"id", "name", "score"?, ...}]
    call = await session.call_tool(name, arguments)    # one raw tool call (probes time these)
    reply = await session.send_raw(text, timeout_s=2)  # anything, for the error cases
    await session.still_answers(timeout_s=2)           # True / False after an error case
    await session.close()

A reply in another dialect's envelope raises `McpDialectError` at once (never a timeout).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from ._errors import McpUsageError

if TYPE_CHECKING:
    from ._client import ToolCallResult
    from ._settings import ConnectionSettings


class BrainTools(BaseModel):
    """What a brain calls its tools, their arguments and result fields (a dialect's defaults;
    override any from params with `brain_tools: {...}`). `None` for an argument: not sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    create_tool: str = "create_character"
    find_tool: str = "find_similar_characters"
    project_arg: str = "project_id"
    name_arg: str = "name"
    personality_arg: str = "personality_description"
    appearance_arg: str | None = "appearance_description"
    query_arg: str = "query"
    limit_arg: str | None = None
    # Where a create reply names the new id (None: a character object, flat or under `character`).
    created_id_field: str | None = "character_id"
    results_field: str = "results"
    result_id_field: str = "id"
    score_field: str = "similarity_score"
    # "auto" (score descending or distance ascending) or FIELD:asc|desc.
    ranking: str = "similarity_score:desc"
    # Highest number of results the brain returns without a limit argument (None: no cap known).
    max_results: int | None = 10

    @classmethod
    def with_overrides(cls, base: BrainTools, overrides: Mapping[str, Any] | None) -> BrainTools:
        """`base` with `overrides` applied; one UsageError naming every bad key or value."""
        if not overrides:
            return base
        try:
            return cls.model_validate({**base.model_dump(), **dict(overrides)})
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'brain_tools'}: {e['msg']}" for e in error.errors())
            raise McpUsageError(f"brain_tools: {problems} (known keys: {sorted(cls.model_fields)})") from None

    def create_arguments(self, project_id: str, name: str, personality: str, appearance: str) -> dict[str, Any]:
        arguments = {self.project_arg: project_id, self.name_arg: name, self.personality_arg: personality}
        if self.appearance_arg is not None:
            arguments[self.appearance_arg] = appearance
        return arguments

    def find_arguments(self, project_id: str, query: str, limit: int | None) -> dict[str, Any]:
        arguments: dict[str, Any] = {self.project_arg: project_id, self.query_arg: query}
        if self.limit_arg is not None and limit is not None:
            arguments[self.limit_arg] = limit
        return arguments

    def required(self) -> dict[str, tuple[str, ...]]:
        """The arguments each tool must take, as these options name them."""
        create = [self.project_arg, self.name_arg, self.personality_arg]
        if self.appearance_arg is not None:
            create.append(self.appearance_arg)
        return {self.create_tool: tuple(create), self.find_tool: (self.project_arg, self.query_arg)}


@dataclass(frozen=True)
class RawReply:
    """What came back for a raw frame: `kind` is `reply` (a frame in this dialect's envelope),
    `no_reply` or `connection_closed`; `error` says whether the envelope says error."""

    kind: str
    frame: Any = None
    error: bool = False
    code: int | None = None
    message: str | None = None


class BrainSession(ABC):
    """One WebSocket connection to a brain, in one dialect."""

    dialect: ClassVar[str]
    # Whether the dialect has a handshake (and a tool listing).
    has_handshake: ClassVar[bool] = False
    # What `still_answers` sends, as a result names it.
    liveness: ClassVar[str] = ""

    def __init__(self, url: str, connect_s: float, tools: BrainTools) -> None:
        self.url = url
        self.connect_s = connect_s
        self.tools = tools

    @classmethod
    @abstractmethod
    async def connect(cls, settings: ConnectionSettings, tools: BrainTools) -> Self:
        """Open the WebSocket (McpConnectError when it cannot be opened)."""

    @property
    @abstractmethod
    def closed(self) -> bool: ...

    @property
    @abstractmethod
    def messages_sent(self) -> int: ...

    @property
    def server_messages(self) -> tuple[str, ...]:
        """Notifications and requests the server sent on its own (method names)."""
        return ()

    async def handshake(self, protocol_version: str) -> dict[str, Any] | None:
        """The dialect's opening exchange (MCP `initialize`); None when it has none."""
        return None

    async def handshake_hint(self, error: Exception) -> str:
        """More about a failed handshake, from the server (MCP: a stateless-era server)."""
        return ""

    async def list_tools(self) -> list[dict[str, Any]] | None:
        """The tools the server advertises; None when the dialect has no tool listing."""
        return None

    @property
    def server_meta(self) -> Mapping[str, Any]:
        """What the server said about itself in the handshake (`_meta`), if anything."""
        return {}

    @abstractmethod
    async def call_tool(
        self, name: str, arguments: Mapping[str, Any], *, raise_on_error: bool = True
    ) -> ToolCallResult: ...

    @abstractmethod
    async def create_character(self, project_id: str, name: str, personality: str, appearance: str) -> str:
        """The new character's id (McpToolError when the brain refused)."""

    @abstractmethod
    async def find_similar(self, project_id: str, query: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        """The ranked results, each a dict with at least `id` (the brain's own fields kept)."""

    @abstractmethod
    async def send_raw(self, text: str, *, timeout_s: float) -> RawReply: ...

    @abstractmethod
    async def still_answers(self, *, timeout_s: float) -> bool:
        """Whether the connection still answers a harmless frame (after an error case)."""

    @abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
