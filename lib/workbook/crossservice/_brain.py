"""The brain's two tools as notebook 60 calls them, through `workbook.mcp`'s brain client in the
dialect the `brain_protocol` parameter names (`tool-json`: the movie brain's `{"tool": ...}` frames
at `/`; `mcp-jsonrpc`; `auto`, decided in one round trip): `create_character` (the brain makes the
id) and `find_similar_characters` (the brain's top results, `{id, name, similarity_score}`).

One session kept on a `LoopThread` (the calls are sequential), reopened once when the brain dropped
it. A refused call raises `BrainError` with the brain's own words; a server answering in another
envelope ends the check `error/dialect`; one that cannot be reached, `error/unreachable`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from ..checks import CouldNotCheck, ErrorReason
from ..connect import not_speaking
from ..mcp import BrainSession, McpConnectError, McpConnectionClosedError, McpDialectError, McpError, connect_brain
from ..runtime import LoopThread

SCORE = "similarity_score"
T = TypeVar("T")


class BrainError(Exception):
    """A tool call failed: the brain refused it or answered something this client cannot read."""


class Brain:
    def __init__(
        self,
        ws_url: str,
        *,
        timeout_s: float,
        protocol: str = "tool-json",
        brain_tools: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.ws_url = ws_url
        self.timeout_s = timeout_s
        self._options = {
            "dialect": protocol,
            "brain_tools": dict(brain_tools or {}),
            "headers": dict(headers or {}),
            "open_timeout_s": timeout_s,
            "message_timeout_s": timeout_s,
        }
        self._loop = LoopThread("crossservice-brain")
        self._session: BrainSession | None = None

    @property
    def dialect(self) -> str:
        return self._session.dialect if self._session is not None else str(self._options["dialect"])

    def create(self, project_id: str, name: str, personality: str, appearance: str) -> str:
        async def create(session: BrainSession) -> str:
            return await session.create_character(project_id, name, personality, appearance)

        return self._call(create, "create_character")

    def find(self, project_id: str, query: str) -> list[dict[str, Any]]:
        async def find(session: BrainSession) -> list[dict[str, Any]]:
            results = await session.find_similar(project_id, query)
            field = session.tools.score_field
            # One word for the score whatever the dialect names it.
            return [{**item, SCORE: item.get(field, item.get(SCORE))} for item in results]

        return self._call(find, "find_similar_characters")

    def timed_find(self, project_id: str, query: str) -> tuple[list[dict[str, Any]], float]:
        started = time.perf_counter()
        results = self.find(project_id, query)
        return results, time.perf_counter() - started

    def timed_create(self, project_id: str, name: str, personality: str, appearance: str) -> tuple[str, float]:
        started = time.perf_counter()
        character_id = self.create(project_id, name, personality, appearance)
        return character_id, time.perf_counter() - started

    def _call(self, operation: Callable[[BrainSession], Awaitable[T]], what: str) -> T:
        return self._loop.call(self._with_session(operation, what), timeout_s=self.timeout_s * 3, what=f"brain {what}")

    async def _with_session(self, operation: Callable[[BrainSession], Awaitable[T]], what: str) -> T:
        for attempt in (1, 2):
            try:
                if self._session is None:
                    self._session = await connect_brain(self.ws_url, **self._options)
                return await operation(self._session)
            except McpDialectError as error:
                await self._drop()
                raise not_speaking(error.url, error.dialect, error.frame, error.frames) from None
            except McpConnectError as error:
                await self._drop()
                raise CouldNotCheck(ErrorReason.UNREACHABLE, f"brain {what}: {error}") from None
            except McpError as error:
                await self._drop()
                if attempt == 2 or not isinstance(error, McpConnectionClosedError):
                    raise BrainError(f"{what}: {error}") from None
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _drop(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                await session.close()
            except Exception:  # closing a broken connection may fail; it is gone either way
                return

    def close(self) -> None:
        if not self._loop.closed:
            try:
                self._loop.call(self._drop(), timeout_s=5, what="close brain session")
            finally:
                self._loop.close()
