"""Reading tool results in the shapes correct servers produce, and ranking in either direction.

The same tool output reaches a client in several correct shapes:

* `structuredContent` holding the object (the brain stand-in: `{"character": {...}}`,
  `{"results": [...]}`);
* `structuredContent: {"result": [...]}` — the MCP Python SDK (FastMCP) wraps a tool's non-object
  return value (a list) that way, and adds one text item per element;
* no `structuredContent`, the JSON in one text item (FastMCP for a `dict` return), or one text
  item per list element;
* a character flat (`{"id": ...}`) or nested (`{"character": {"id": ...}}`).

A shape none of these match raises `McpResultShapeError` naming the shape it saw, so a check
reports "unrecognised result shape", never a verdict about what the tool did.

Ranking: similarity results are ordered by a `score` (higher is better, descending) or by a
`distance` (lower is better, ascending); `Ranking.parse("auto" | "score:desc" | "distance:asc")`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._errors import McpResultShapeError, McpUsageError

# FastMCP's key for a wrapped non-object return value.
WRAPPED_RESULT_KEY = "result"
RESULT_LIST_KEYS = ("results", "characters", "matches", "items")


def tool_data(content: Sequence[Any], structured: Any) -> Any:
    """What the tool returned: `structuredContent` (unwrapped), else the text item(s) as JSON."""
    if isinstance(structured, dict):
        if set(structured) == {WRAPPED_RESULT_KEY} and not isinstance(structured[WRAPPED_RESULT_KEY], dict):
            return structured[WRAPPED_RESULT_KEY]
        return structured
    if structured is not None:
        return structured
    texts = [str(item.get("text", "")) for item in content if isinstance(item, dict) and item.get("type") == "text"]
    parsed = [_json_or_text(text) for text in texts]
    if len(parsed) == 1:
        return parsed[0]
    # Several text items: FastMCP sends one per element of a returned list.
    return parsed or None


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def describe_shape(data: Any, depth: int = 0) -> str:
    """A short structural description of a value: `{character: {id, name}}`, `[3 x {id, distance}]`."""
    if isinstance(data, dict):
        if depth >= 2:
            return "{...}"
        inner = ", ".join(
            f"{key}: {describe_shape(value, depth + 1)}" if isinstance(value, dict | list) else str(key)
            for key, value in list(data.items())[:8]
        )
        return "{" + inner + (", ..." if len(data) > 8 else "") + "}"
    if isinstance(data, list):
        return f"[{len(data)} x {describe_shape(data[0], depth + 1)}]" if data else "[]"
    return type(data).__name__


def character_of(tool: str, data: Any) -> dict[str, Any]:
    """The created character, flat or nested under `character`."""
    if isinstance(data, dict):
        nested = data.get("character")
        if isinstance(nested, dict) and "id" in nested:
            return nested
        if "id" in data:
            return data
    raise McpResultShapeError(tool, f"no character id in {describe_shape(data)}")


def results_of(tool: str, data: Any) -> list[dict[str, Any]]:
    """The ranked results: a list, or a list under one of `RESULT_LIST_KEYS` (or `result`)."""
    items: Any = data
    if isinstance(data, dict):
        keys = [key for key in (*RESULT_LIST_KEYS, WRAPPED_RESULT_KEY) if isinstance(data.get(key), list)]
        items = data[keys[0]] if keys else None
    if isinstance(items, list) and all(isinstance(item, dict) for item in items):
        return list(items)
    raise McpResultShapeError(tool, f"no list of results in {describe_shape(data)}")


@dataclass(frozen=True)
class Ranking:
    """Which field orders similarity results, and which way (`auto`: score desc or distance asc)."""

    field: str | None = None
    direction: Literal["asc", "desc"] = "desc"

    @classmethod
    def parse(cls, text: str) -> Ranking:
        if text == "auto":
            return cls()
        name, _, direction = text.partition(":")
        if not name or direction not in ("asc", "desc"):
            raise McpUsageError(
                f"ranking: got {text!r}; expected 'auto' or FIELD:asc|desc (e.g. 'score:desc', 'distance:asc')"
            )
        return cls(name, "asc" if direction == "asc" else "desc")

    def resolve(self, results: Sequence[Mapping[str, Any]]) -> Ranking | None:
        """This ranking, or for `auto` the one the results carry (None when they carry neither)."""
        if self.field is not None:
            return self
        for candidate in (Ranking("score", "desc"), Ranking("distance", "asc")):
            if results and all(candidate.field in r for r in results):
                return candidate
        return None

    def problems(self, results: Sequence[Mapping[str, Any]]) -> list[str]:
        """Why `results` are not ranked best first (empty when they are)."""
        ranking = self.resolve(results)
        if not results:
            return []
        if ranking is None or ranking.field is None:
            return [f"results carry neither a numeric 'score' nor a 'distance': {describe_shape(list(results))}"]
        raw = [r.get(ranking.field) for r in results]
        values = [float(v) for v in raw if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(values) != len(raw):
            return [f"every result needs a numeric {ranking.field!r}, got {raw}"]
        out_of_order = (
            any(a > b for a, b in itertools.pairwise(values))
            if ranking.direction == "asc"
            else any(a < b for a, b in itertools.pairwise(values))
        )
        if out_of_order:
            word = "ascending" if ranking.direction == "asc" else "descending"
            return [f"results are not ranked by {word} {ranking.field}: {values}"]
        return []
