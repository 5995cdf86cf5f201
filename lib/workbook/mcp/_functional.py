"""Functional checks of the brain service the seed lists: tools present, create a character and find
it as the most similar to its own description, projects isolated from each other.

Each check returns a `FunctionalResult` (never raises for a failed expectation; it raises only for
bad arguments) so a notebook can record it with `Checks`.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from .._sync import run_sync
from ._client import McpClient, validate_ws_url
from ._errors import McpError, McpProtocolError, McpRpcError, McpUsageError
from ._models import FunctionalResult
from ._probe import DEFAULT_PROTOCOL_VERSION, _handshake
from ._sync import synchronous

REQUIRED_TOOLS: Mapping[str, tuple[str, ...]] = {
    "create_character": ("name", "description", "project_id"),
    "find_similar_characters": ("project_id",),
}

# Three characters whose descriptions share few words, so any embedding (even a lexical one) ranks
# each first for its own description.
SAMPLE_CHARACTERS: tuple[tuple[str, str], ...] = (
    ("Mara Vell", "a weathered lighthouse keeper who paints violent sea storms by lantern light"),
    ("Tobin Reed", "a cheerful baker from a mountain village famous for cinnamon bread"),
    ("Ixa-9", "a rogue cyberpunk hacker android hiding in neon lit server farms"),
)


def _project(prefix: str) -> str:
    return f"workbook-{prefix}-{uuid.uuid4().hex[:10]}"


def _character_id(data: Any) -> str:
    character = data.get("character", data) if isinstance(data, dict) else None
    if not isinstance(character, dict) or "id" not in character:
        raise McpProtocolError(f"create_character result has no character id: {data!r:.300}")
    return str(character["id"])


def _ranked(data: Any) -> list[dict[str, Any]]:
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise McpProtocolError(f"find_similar_characters result has no results list: {data!r:.300}")
    return list(results)


def _embedding_note(label: Any) -> str:
    if not isinstance(label, dict):
        return " (the server does not say which embedding it uses)"
    note = f" (embedding: {label.get('kind')} {label.get('name')}"
    return note + (")" if label.get("semantic", False) else "; lexical overlap only, not a test of meaning)")


def _ranking_problems(results: Sequence[Mapping[str, Any]]) -> list[str]:
    problems = []
    raw = [r.get("score") for r in results]
    scores = [float(s) for s in raw if isinstance(s, int | float)]
    if len(scores) != len(raw):
        problems.append(f"every result needs a numeric score, got {raw}")
    elif any(a < b for a, b in itertools.pairwise(scores)):
        problems.append(f"results are not ranked by descending score: {scores}")
    return problems


async def _open(ws_url: str, protocol_version: str, timeout_s: float) -> McpClient:
    client = await McpClient.open(ws_url, open_timeout_s=timeout_s, message_timeout_s=timeout_s)
    try:
        await _handshake(client, protocol_version)
    except BaseException:
        await client.close()
        raise
    return client


async def _tools_present(client: McpClient) -> FunctionalResult:
    tools = {t.get("name"): t for t in await client.list_tools()}
    problems = []
    for name, required in REQUIRED_TOOLS.items():
        if name not in tools:
            problems.append(f"tool {name!r} missing")
            continue
        props = (tools[name].get("inputSchema") or {}).get("properties") or {}
        missing = [arg for arg in required if arg not in props]
        if missing:
            problems.append(f"tool {name!r} input schema lacks {missing}")
    return FunctionalResult(
        "tools_listed",
        not problems,
        "; ".join(problems) or f"tools/list has {sorted(REQUIRED_TOOLS)} with the expected arguments",
        {"tools": sorted(str(n) for n in tools)},
    )


async def _create_and_find(client: McpClient, project_id: str, top_k: int) -> FunctionalResult:
    created = {}
    for name, description in SAMPLE_CHARACTERS:
        call = await client.call_tool(
            "create_character", {"name": name, "description": description, "project_id": project_id}
        )
        created[name] = _character_id(call.data)
    problems: list[str] = []
    found: dict[str, list[dict[str, Any]]] = {}
    embedding = None
    for name, description in SAMPLE_CHARACTERS:
        call = await client.call_tool(
            "find_similar_characters", {"query": description, "project_id": project_id, "top_k": top_k}
        )
        embedding = call.data.get("embedding") if isinstance(call.data, dict) else None
        results = _ranked(call.data)
        found[name] = results
        problems += _ranking_problems(results)
        if not results:
            problems.append(f"query with {name}'s own description returned no results")
        elif str(results[0].get("id")) != created[name]:
            problems.append(
                f"{name} ({created[name]}) was not the most similar to its own description; "
                f"top result was {results[0].get('id')} {results[0].get('name')!r}"
            )
        if len(results) > top_k:
            problems.append(f"top_k={top_k} but {len(results)} results came back")
    return FunctionalResult(
        "create_and_find",
        not problems,
        "; ".join(problems)
        or f"each of {len(created)} characters ranked first for its own description{_embedding_note(embedding)}",
        {"project_id": project_id, "created": created, "results": found, "embedding": embedding},
    )


async def _isolation(client: McpClient, top_k: int) -> FunctionalResult:
    name, description = SAMPLE_CHARACTERS[0]
    project_a, project_b = _project("iso-a"), _project("iso-b")
    in_a = _character_id(
        (
            await client.call_tool(
                "create_character", {"name": name, "description": description, "project_id": project_a}
            )
        ).data
    )
    in_b = _character_id(
        (
            await client.call_tool(
                "create_character", {"name": name, "description": description, "project_id": project_b}
            )
        ).data
    )
    problems = []
    results_b = _ranked(
        (
            await client.call_tool(
                "find_similar_characters", {"query": description, "project_id": project_b, "top_k": top_k}
            )
        ).data
    )
    ids_b = [str(r.get("id")) for r in results_b]
    if in_a in ids_b:
        problems.append(f"project {project_b} search returned {in_a} from project {project_a}")
    if in_b not in ids_b:
        problems.append(f"project {project_b} search did not return its own character {in_b}")
    foreign = [r for r in results_b if r.get("project_id") not in (None, project_b)]
    if foreign:
        problems.append(f"results from other projects: {foreign}")
    # Looking up project A's character by id from project B must not leak it.
    by_id: str
    try:
        call = await client.call_tool(
            "find_similar_characters",
            {"character_id": in_a, "project_id": project_b, "top_k": top_k},
            raise_on_error=False,
        )
        if call.is_error:
            by_id = f"tool error: {call.text}"
        else:
            by_id = "answered with results"
            leaked = [r for r in _ranked(call.data) if str(r.get("id")) == in_a]
            if leaked:
                problems.append(f"character_id {in_a} of {project_a} was found via {project_b}")
    except McpRpcError as error:
        by_id = f"JSON-RPC error {error.code}"
    return FunctionalResult(
        "project_isolation",
        not problems,
        "; ".join(problems) or f"a search in {project_b} never returned {project_a}'s character (by id: {by_id})",
        {"project_a": project_a, "project_b": project_b, "in_a": in_a, "in_b": in_b, "results_b": results_b},
    )


async def _guarded(check: str, running: Awaitable[FunctionalResult]) -> FunctionalResult:
    """A check that hit a protocol or tool error failed; it does not stop the other checks."""
    try:
        return await running
    except McpError as error:
        return FunctionalResult(check, False, f"{type(error).__name__}: {error}")


def _validate(ws_url: str, top_k: int) -> None:
    validate_ws_url(ws_url)
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 3 <= top_k <= 100:
        raise McpUsageError(f"top_k must be an integer in 3..100, got {top_k!r}")


async def run_functional_checks_async(
    ws_url: str,
    *,
    project_id: str | None = None,
    top_k: int = 5,
    protocol_version: str = DEFAULT_PROTOCOL_VERSION,
    timeout_s: float = 10.0,
) -> tuple[FunctionalResult, ...]:
    """`tools_listed`, `create_and_find` and `project_isolation` on one connection (fresh projects)."""
    _validate(ws_url, top_k)
    try:
        client = await _open(ws_url, protocol_version, timeout_s)
    except McpError as error:
        return tuple(
            FunctionalResult(name, False, f"could not open an MCP session: {error}")
            for name in ("tools_listed", "create_and_find", "project_isolation")
        )
    try:
        return (
            await _guarded("tools_listed", _tools_present(client)),
            await _guarded("create_and_find", _create_and_find(client, project_id or _project("find"), top_k)),
            await _guarded("project_isolation", _isolation(client, top_k)),
        )
    finally:
        await client.close()


run_functional_checks = synchronous(run_functional_checks_async)


def check_create_and_find(
    ws_url: str,
    *,
    project_id: str | None = None,
    top_k: int = 5,
    protocol_version: str = DEFAULT_PROTOCOL_VERSION,
    timeout_s: float = 10.0,
) -> FunctionalResult:
    """Create three characters; each must come back first for its own description, scores descending."""
    _validate(ws_url, top_k)

    async def run() -> FunctionalResult:
        try:
            client = await _open(ws_url, protocol_version, timeout_s)
        except McpError as error:
            return FunctionalResult("create_and_find", False, f"could not open an MCP session: {error}")
        try:
            return await _guarded("create_and_find", _create_and_find(client, project_id or _project("find"), top_k))
        finally:
            await client.close()

    return run_sync(run())


def check_project_isolation(
    ws_url: str, *, top_k: int = 5, protocol_version: str = DEFAULT_PROTOCOL_VERSION, timeout_s: float = 10.0
) -> FunctionalResult:
    """The same character in two fresh projects: a search in one never returns the other's."""
    _validate(ws_url, top_k)

    async def run() -> FunctionalResult:
        try:
            client = await _open(ws_url, protocol_version, timeout_s)
        except McpError as error:
            return FunctionalResult("project_isolation", False, f"could not open an MCP session: {error}")
        try:
            return await _guarded("project_isolation", _isolation(client, top_k))
        finally:
            await client.close()

    return run_sync(run())
