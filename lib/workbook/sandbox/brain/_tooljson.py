"""The real brain's WebSocket dialect at `/` (main.py:172-335 of jomapps/mcp-brain-service
d15715b): one flat JSON object per frame, `{"tool": NAME, <arguments at top level>}`, answered by
exactly one `{"status": "success", ...}` or `{"status": "error", "message": ...}` frame. Any `id`
in a request is ignored and never echoed; every frame is answered, notifications included; the
connection stays usable after an error. Text in, reply dict out (no network here).

Messages, as the real one words them:
`Invalid JSON format: <json error>`, `Missing 'tool' field in message`, `Unknown tool: <x>`,
`Missing required fields: a, b`, `Failed to create character: <exception>`,
`Failed to find similar characters: <exception>`, `Internal error: <exception>` (e.g. a frame
that is JSON but not an object: `'list' object has no attribute 'get'`).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from .._requestlog import RequestLog
from ._characters import CharacterService
from ._switches import BrainFaults

CREATE, FIND = "create_character", "find_similar_characters"
CREATE_FIELDS = ("project_id", "name", "personality_description", "appearance_description")
FIND_FIELDS = ("project_id", "query")
# What the `error_rate` switch answers: the embedding provider failing after its retries.
PROVIDER_FAILURE = 'Jina embedding failed: Jina API error 503: {"detail":"Service Unavailable"}'
# What the `accept_invalid_tool_calls` switch answers to a call that should have been rejected.
ACCEPTED_ANYWAY: dict[str, Any] = {"status": "success", "message": "ok"}


class CharacterCreate(BaseModel):
    """The real request model (non-strict str fields), so a bad type fails with pydantic's words."""

    project_id: str
    name: str
    personality_description: str
    appearance_description: str


def _missing(message: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any] | None:
    missing = [field for field in fields if field not in message]
    if missing:
        return {"status": "error", "message": f"Missing required fields: {', '.join(missing)}"}
    return None


class ToolJson:
    """Replies of the flat-envelope dialect, over the shared character service."""

    def __init__(self, characters: CharacterService, faults: BrainFaults, requests: RequestLog) -> None:
        self.characters = characters
        self.faults = faults
        self.requests = requests

    async def reply(self, text: str) -> dict[str, Any]:
        try:
            message = json.loads(text)
        except json.JSONDecodeError as error:
            return {"status": "error", "message": f"Invalid JSON format: {error}"}
        try:
            return await self._process(message)
        except Exception as error:
            return {"status": "error", "message": f"Internal error: {error}"}

    async def _process(self, message: Any) -> dict[str, Any]:
        tool = message.get("tool")  # a non-object frame raises here, as in the real brain
        if not tool:
            return {"status": "error", "message": "Missing 'tool' field in message"}
        if tool == CREATE:
            return await self._create(message)
        if tool == FIND:
            return await self._find(message)
        if self.faults.on("accept_invalid_tool_calls"):
            return ACCEPTED_ANYWAY
        return {"status": "error", "message": f"Unknown tool: {tool}"}

    async def _create(self, message: dict[str, Any]) -> dict[str, Any]:
        required = CREATE_FIELDS[1:] if self.faults.on("hide_tool_argument") else CREATE_FIELDS
        if (missing := _missing(message, required)) is not None:
            return ACCEPTED_ANYWAY if self.faults.on("accept_invalid_tool_calls") else missing
        try:
            data = CharacterCreate(**{field: message.get(field, "") for field in CREATE_FIELDS})
        except ValidationError as error:
            if self.faults.on("accept_invalid_tool_calls"):
                return ACCEPTED_ANYWAY
            return {"status": "error", "message": f"Failed to create character: {error}"}
        with self.requests.timed(None, f"ws {CREATE}", project_id=data.project_id) as note:
            try:
                if self.faults.inject_error():
                    raise RuntimeError(PROVIDER_FAILURE)
                character = await self.characters.create(
                    data.project_id, data.name, data.personality_description, data.appearance_description
                )
            except Exception as error:
                note["error"] = str(error)
                return {"status": "error", "message": f"Failed to create character: {error}"}
            note["character_id"] = character.id
        return {"status": "success", "message": "Character created successfully.", "character_id": character.id}

    async def _find(self, message: dict[str, Any]) -> dict[str, Any]:
        if (missing := _missing(message, FIND_FIELDS)) is not None:
            return ACCEPTED_ANYWAY if self.faults.on("accept_invalid_tool_calls") else missing
        with self.requests.timed(None, f"ws {FIND}", project_id=message.get("project_id")) as note:
            try:
                if self.faults.inject_error():
                    raise RuntimeError(PROVIDER_FAILURE)
                ranked = await self.characters.find(message["project_id"], message["query"])
            except Exception as error:
                note["error"] = str(error)
                return {"status": "error", "message": f"Failed to find similar characters: {error}"}
            note["result_ids"] = [character.id for character, _ in ranked]
        results = [{"id": c.id, "name": c.name, "similarity_score": score} for c, score in ranked]
        return {"status": "success", "results": results}
