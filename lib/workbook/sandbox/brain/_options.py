"""Shape options of the brain stand-in: how correct servers built on the MCP Python SDK (FastMCP)
answer, so the sandbox exercises the shapes a client must read. None of them is a defect: with
any combination every check must still pass (fault switches are in `_switches.py`).

* `result_shape`: `structured` (default; `structuredContent` objects `{"character": {...}}`,
  `{"results": [...]}`) or `fastmcp` (create: a flat character as one JSON text item, no
  `structuredContent`; find: a list, i.e. `structuredContent: {"result": [...]}` plus one text
  item per element).
* `ranking`: `score` (cosine similarity, descending; default) or `distance` (1 - cosine, ascending).
* `log_notifications`: a `notifications/message` log line before every reply (level `error`
  before error replies), as an SDK server's logging does.
* `server_pings`: before answering a `tools/call` the server sends its own `ping` request and
  waits up to `SERVER_PING_TIMEOUT_S` for the client's answer (the spec says a client must
  answer); a client that does not answer gets the tool call failed with -32603.

Set at startup with `WORKBOOK_BRAIN_OPTIONS` (JSON) or at run time through the admin endpoint
`{admin_url}/_sandbox/options` (GET, PUT merge, DELETE resets to the defaults).
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel, ConfigDict, ValidationError

OPTIONS_ENV = "WORKBOOK_BRAIN_OPTIONS"
OPTIONS_PATH = "/_sandbox/options"
SERVER_PING_TIMEOUT_S = 5.0


class BrainOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    result_shape: Literal["structured", "fastmcp"] = "structured"
    ranking: Literal["score", "distance"] = "score"
    log_notifications: bool = False
    server_pings: bool = False


class OptionsHolder:
    """The current options of one server (replaced whole on every change, so a reader never sees
    half an update)."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        self.current = BrainOptions.model_validate(initial or {})

    @classmethod
    def from_env(cls) -> OptionsHolder:
        raw = os.environ.get(OPTIONS_ENV, "")
        return cls(json.loads(raw) if raw else None)

    def update(self, changes: dict[str, Any]) -> BrainOptions:
        self.current = BrainOptions.model_validate({**self.current.model_dump(), **changes})
        return self.current

    def reset(self) -> BrainOptions:
        self.current = BrainOptions()
        return self.current


def options_router(holder: OptionsHolder) -> APIRouter:
    router = APIRouter()

    @router.get(OPTIONS_PATH)
    def get_options() -> dict[str, Any]:
        return holder.current.model_dump()

    @router.put(OPTIONS_PATH)
    def put_options(changes: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008 - FastAPI idiom
        try:
            return holder.update(changes).model_dump()
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise HTTPException(status_code=400, detail=problems) from error

    @router.delete(OPTIONS_PATH)
    def delete_options() -> dict[str, Any]:
        return holder.reset().model_dump()

    return router
