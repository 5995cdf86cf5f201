"""The brain's two tools as the notebook calls them, in the brain's own WebSocket dialect
(`{"tool": ...}` frames at `/`, one `{"status": ...}` reply each): `create_character` (the brain
makes the id) and `find_similar_characters` (at most 10 `{id, name, similarity_score}`).

One connection (websockets' sync client: the calls are sequential), reconnected once when the
brain dropped it. A failure raises `BrainError` with the brain's own words.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

CREATE, FIND = "create_character", "find_similar_characters"


class BrainError(Exception):
    """A tool call failed: the brain refused it, answered outside its envelope, or could not be reached."""


class BrainTools:
    def __init__(self, ws_url: str, *, timeout_s: float, headers: Mapping[str, str] | None = None) -> None:
        self.ws_url = ws_url
        self.timeout_s = timeout_s
        self.headers = dict(headers or {})
        self._ws: ClientConnection | None = None
        self._stack = contextlib.ExitStack()

    def create(self, project_id: str, name: str, personality: str, appearance: str) -> str:
        frame = {
            "tool": CREATE,
            "project_id": project_id,
            "name": name,
            "personality_description": personality,
            "appearance_description": appearance,
        }
        reply = self.call(frame)
        character_id = reply.get("character_id")
        if not isinstance(character_id, str) or not character_id:
            raise BrainError(f"{CREATE} answered success without a character_id: {json.dumps(reply)[:300]}")
        return character_id

    def find(self, project_id: str, query: str) -> list[dict[str, Any]]:
        reply = self.call({"tool": FIND, "project_id": project_id, "query": query})
        results = reply.get("results")
        if not isinstance(results, list):
            raise BrainError(f"{FIND} answered success without a results list: {json.dumps(reply)[:300]}")
        return [item for item in results if isinstance(item, dict)]

    def timed_find(self, project_id: str, query: str) -> tuple[list[dict[str, Any]], float]:
        started = time.perf_counter()
        results = self.find(project_id, query)
        return results, time.perf_counter() - started

    def timed_create(self, project_id: str, name: str, personality: str, appearance: str) -> tuple[str, float]:
        started = time.perf_counter()
        character_id = self.create(project_id, name, personality, appearance)
        return character_id, time.perf_counter() - started

    def call(self, frame: dict[str, Any]) -> dict[str, Any]:
        for attempt in (1, 2):
            try:
                ws = self._connection()
                ws.send(json.dumps(frame))
                raw = ws.recv(timeout=self.timeout_s)
                break
            except (OSError, WebSocketException, TimeoutError) as error:
                self.close()
                if attempt == 2:
                    raise BrainError(f"{frame.get('tool')} at {self.ws_url}: {type(error).__name__}: {error}") from None
        try:
            reply = json.loads(raw)
        except ValueError:
            raise BrainError(f"{frame.get('tool')}: the brain answered non-JSON: {str(raw)[:300]}") from None
        if not isinstance(reply, dict) or reply.get("status") not in ("success", "error"):
            raise BrainError(f"{frame.get('tool')}: the brain answered outside its envelope: {str(raw)[:300]}")
        if reply["status"] == "error":
            raise BrainError(f"{frame.get('tool')} refused: {reply.get('message', '')}")
        return reply

    def _connection(self) -> ClientConnection:
        if self._ws is None:
            opened = connect(
                self.ws_url, open_timeout=self.timeout_s, additional_headers=self.headers or None, max_size=8 << 20
            )
            self._ws = self._stack.enter_context(opened)  # websockets wants it used as a context manager
        return self._ws

    def close(self) -> None:
        self._ws = None
        with contextlib.suppress(OSError, WebSocketException):
            self._stack.close()
