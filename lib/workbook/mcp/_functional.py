"""Functional checks of the brain service the seed lists: tools listed with their arguments, tool
execution (create a character, find it as the most similar to its own description), projects
isolated from each other.

Each check returns a `FunctionalResult` whose `problems` name every defect found (never raises
for a failed expectation; it raises only for bad arguments), so a notebook records it with
`c.expect_none(result.problems)`. Results are read in any shape correct servers produce
(`_shapes`); a shape none of them matches fails with "unrecognised result shape", never with a
verdict about what the tool did.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from pydantic import Field, field_validator

from ._client import McpClient
from ._errors import McpError, McpRpcError, McpUsageError
from ._results import FunctionalResult
from ._settings import ConnectionSettings
from ._shapes import Ranking, character_of, results_of
from ._stage import open_session
from ._sync import synchronous

CREATE, FIND = "create_character", "find_similar_characters"
REQUIRED_TOOLS: Mapping[str, tuple[str, ...]] = {
    CREATE: ("name", "description", "project_id"),
    FIND: ("project_id",),
}
CHECK_NAMES = ("tools_listed", "tool_execution", "project_isolation")

# Three characters whose descriptions share few words, so any embedding (even a lexical one) ranks
# each first for its own description.
SAMPLE_CHARACTERS: tuple[tuple[str, str], ...] = (
    ("Mara Vell", "a weathered lighthouse keeper who paints violent sea storms by lantern light"),
    ("Tobin Reed", "a cheerful baker from a mountain village famous for cinnamon bread"),
    ("Ixa-9", "a rogue cyberpunk hacker android hiding in neon lit server farms"),
)


class FunctionalOptions(ConnectionSettings):
    top_k: Annotated[int, Field(strict=True, ge=3, le=100)] = 5
    # "auto" (a `score` descending or a `distance` ascending) or FIELD:asc|desc.
    ranking: str = "auto"
    project_id: str | None = None
    message_timeout_s: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] = 10.0
    open_timeout_s: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] = 10.0

    @field_validator("ranking")
    @classmethod
    def _ranking(cls, value: str) -> str:
        Ranking.parse(value)
        return value

    @property
    def order(self) -> Ranking:
        return Ranking.parse(self.ranking)


def _project(prefix: str) -> str:
    return f"workbook-{prefix}-{uuid.uuid4().hex[:10]}"


def _embedding_note(label: Any) -> str:
    if not isinstance(label, dict):
        return " (the server does not say which embedding it uses)"
    note = f" (embedding: {label.get('kind')} {label.get('name')}"
    return note + (")" if label.get("semantic", False) else "; lexical overlap only, not a test of meaning)")


def tool_problems(tools: list[dict[str, Any]]) -> list[str]:
    """Which required tool or argument `tools/list` does not advertise."""
    by_name = {t.get("name"): t for t in tools if isinstance(t, dict)}
    problems = []
    for name, required in REQUIRED_TOOLS.items():
        if name not in by_name:
            problems.append(f"tool {name!r} missing from tools/list")
            continue
        props = (by_name[name].get("inputSchema") or {}).get("properties") or {}
        missing = [arg for arg in required if arg not in props]
        if missing:
            problems.append(f"tool {name!r} input schema lacks {missing}")
    return problems


async def _tools_listed(client: McpClient, options: FunctionalOptions) -> FunctionalResult:
    tools = await client.list_tools()
    arguments = {
        str(t.get("name")): sorted((t.get("inputSchema") or {}).get("properties") or {})
        for t in tools
        if isinstance(t, dict)
    }
    return FunctionalResult(
        "tools_listed",
        tuple(tool_problems(tools)),
        f"tools/list has {sorted(REQUIRED_TOOLS)} with the expected arguments",
        {"tools": arguments},
    )


async def _create(client: McpClient, name: str, description: str, project_id: str) -> str:
    call = await client.call_tool(CREATE, {"name": name, "description": description, "project_id": project_id})
    return str(character_of(CREATE, call.data)["id"])


async def _find(client: McpClient, arguments: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    call = await client.call_tool(FIND, arguments)
    embedding = call.data.get("embedding") if isinstance(call.data, dict) else None
    return results_of(FIND, call.data), embedding


async def _tool_execution(client: McpClient, options: FunctionalOptions) -> FunctionalResult:
    project_id, top_k = options.project_id or _project("find"), options.top_k
    created = {name: await _create(client, name, description, project_id) for name, description in SAMPLE_CHARACTERS}
    problems: list[str] = []
    found: dict[str, list[dict[str, Any]]] = {}
    embedding = None
    for name, description in SAMPLE_CHARACTERS:
        results, embedding = await _find(client, {"query": description, "project_id": project_id, "top_k": top_k})
        found[name] = results
        problems += options.order.problems(results)
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
        "tool_execution",
        tuple(problems),
        f"each of {len(created)} characters ranked first for its own description{_embedding_note(embedding)}",
        {"project_id": project_id, "created": created, "results": found, "embedding": embedding},
    )


async def _isolation(client: McpClient, options: FunctionalOptions) -> FunctionalResult:
    name, description = SAMPLE_CHARACTERS[0]
    project_a, project_b = _project("iso-a"), _project("iso-b")
    in_a = await _create(client, name, description, project_a)
    in_b = await _create(client, name, description, project_b)
    results_b, _ = await _find(client, {"query": description, "project_id": project_b, "top_k": options.top_k})
    ids_b = [str(r.get("id")) for r in results_b]
    problems = []
    if in_a in ids_b:
        problems.append(f"project {project_b} search returned {in_a} from project {project_a}")
    if in_b not in ids_b:
        problems.append(f"project {project_b} search did not return its own character {in_b}")
    foreign = [r for r in results_b if r.get("project_id") not in (None, project_b)]
    if foreign:
        problems.append(f"project {project_b} search returned {len(foreign)} result(s) from other projects: {foreign}")
    by_id = await _lookup_across(client, in_a, project_a, project_b, options.top_k, problems)
    return FunctionalResult(
        "project_isolation",
        tuple(problems),
        f"a search in {project_b} never returned {project_a}'s character (by id: {by_id})",
        {"project_a": project_a, "project_b": project_b, "in_a": in_a, "in_b": in_b, "results_b": results_b},
    )


async def _lookup_across(
    client: McpClient, character_id: str, project_a: str, project_b: str, top_k: int, problems: list[str]
) -> str:
    """Looking up project A's character by id from project B must not leak it."""
    arguments = {"character_id": character_id, "project_id": project_b, "top_k": top_k}
    try:
        call = await client.call_tool(FIND, arguments, raise_on_error=False)
    except McpRpcError as error:
        return f"JSON-RPC error {error.code}"
    if call.is_error:
        return f"tool error: {call.text}"
    if any(str(r.get("id")) == character_id for r in results_of(FIND, call.data)):
        problems.append(f"character_id {character_id} of {project_a} was found via {project_b}")
    return "answered with results"


Check = Callable[[McpClient, FunctionalOptions], Awaitable[FunctionalResult]]
CHECKS: dict[str, Check] = {
    "tools_listed": _tools_listed,
    "tool_execution": _tool_execution,
    "project_isolation": _isolation,
}


async def _guarded(name: str, check: Check, client: McpClient, options: FunctionalOptions) -> FunctionalResult:
    """A check that hit a protocol, shape or tool error failed; it does not stop the other checks."""
    try:
        return await check(client, options)
    except McpError as error:
        return FunctionalResult(name, (f"{type(error).__name__}: {error}",), "")


async def _run(options: FunctionalOptions, names: tuple[str, ...]) -> tuple[FunctionalResult, ...]:
    try:
        client = await open_session(options.connection())
    except McpError as error:
        return tuple(FunctionalResult(name, (f"could not open an MCP session: {error}",), "") for name in names)
    try:
        return tuple([await _guarded(name, CHECKS[name], client, options) for name in names])
    finally:
        await client.close()


async def run_functional_checks_async(
    ws_url: str, *, checks: tuple[str, ...] = CHECK_NAMES, **options: Any
) -> tuple[FunctionalResult, ...]:
    """The named checks (`tools_listed`, `tool_execution`, `project_isolation`; all by default) on
    one connection, each in fresh projects. Options: `top_k` (3..100), `ranking` ("auto",
    "score:desc", "distance:asc", ...), `project_id` and the connection settings."""
    unknown = sorted(set(checks) - set(CHECKS))
    settings = FunctionalOptions.of(ws_url=ws_url, **options)
    if unknown or not checks:
        raise McpUsageError(f"checks: got {list(checks)!r}; expected a non-empty subset of {list(CHECKS)}")
    return await _run(settings, tuple(checks))


run_functional_checks = synchronous(run_functional_checks_async)
