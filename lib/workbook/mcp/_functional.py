"""Functional checks of the brain service the seed lists, in the dialect spoken: tools present
with their arguments, tool execution (create characters, find each first for its own
personality; a query unrelated to all of them still answered), projects isolated from each other.

Each check returns a `FunctionalResult` whose `problems` name every defect found (never raises
for a failed expectation; it raises only for bad arguments), so a notebook records it with
`c.expect_none(result.problems)`. A check that could not exercise the brain (another dialect's
envelope, results where the vocabulary says none are, no connection, no answer in time) carries
`could_not_check` instead: never a verdict about what the tool did.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from pydantic import Field, field_validator

from ._brain import BrainSession, BrainTools
from ._errors import (
    McpConnectError,
    McpConnectionClosedError,
    McpDialectError,
    McpError,
    McpResultShapeError,
    McpTimeoutError,
    McpToolError,
    McpUsageError,
)
from ._results import FunctionalResult
from ._settings import ConnectionSettings
from ._shapes import Ranking, results_of
from ._stage import open_session, resolve
from ._sync import synchronous

CHECK_NAMES = ("tools_listed", "tool_execution", "project_isolation")

# Three characters whose texts share few words, so any embedding (even a lexical one) ranks each
# first for its own personality: (name, personality, appearance).
SAMPLE_CHARACTERS: tuple[tuple[str, str, str], ...] = (
    (
        "Mara Vell",
        "a weathered lighthouse keeper who paints violent sea storms by lantern light",
        "tall, grey-haired, in a salt-stained oilskin coat",
    ),
    (
        "Tobin Reed",
        "a cheerful baker from a mountain village famous for cinnamon bread",
        "round face, flour on his apron",
    ),
    ("Ixa-9", "a rogue cyberpunk hacker android hiding in neon lit server farms", "chrome skin, a cracked visor"),
)
# Queries related to none of them: with most embedding models some weighted score comes out
# negative, which a brain must still answer (the real one's result model rejects it).
UNRELATED_QUERIES = ("1234 5678 9012", "Steuererklärung Frist")


class FunctionalOptions(ConnectionSettings):
    top_k: Annotated[int, Field(strict=True, ge=3, le=100)] = 5
    # "auto": the dialect's own ranking (tool-json: similarity_score descending; MCP: a `score`
    # descending or a `distance` ascending), else FIELD:asc|desc.
    ranking: str = "auto"
    project_id: str | None = None
    message_timeout_s: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] = 10.0
    open_timeout_s: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] = 10.0

    @field_validator("ranking")
    @classmethod
    def _ranking(cls, value: str) -> str:
        Ranking.parse(value)
        return value

    def order(self, tools: BrainTools) -> Ranking:
        return Ranking.parse(tools.ranking if self.ranking == "auto" else self.ranking)


def _project(prefix: str) -> str:
    return f"workbook-{prefix}-{uuid.uuid4().hex[:10]}"


def tool_problems(tools: list[dict[str, Any]], required: dict[str, tuple[str, ...]]) -> list[str]:
    """Which required tool or argument a `tools/list` does not advertise."""
    by_name = {t.get("name"): t for t in tools if isinstance(t, dict)}
    problems = []
    for name, arguments in required.items():
        if name not in by_name:
            problems.append(f"tool {name!r} missing from tools/list")
            continue
        props = (by_name[name].get("inputSchema") or {}).get("properties") or {}
        missing = [arg for arg in arguments if arg not in props]
        if missing:
            problems.append(f"tool {name!r} input schema lacks {missing}")
    return problems


async def _tools_listed(session: BrainSession, options: FunctionalOptions) -> FunctionalResult:
    required = session.tools.required()
    listing = await session.list_tools()
    if listing is not None:
        arguments = {
            str(t.get("name")): sorted((t.get("inputSchema") or {}).get("properties") or {})
            for t in listing
            if isinstance(t, dict)
        }
        summary = f"tools/list has {sorted(required)} with the expected arguments"
        return FunctionalResult("tools_listed", tuple(tool_problems(listing, required)), summary, {"tools": arguments})
    # No listing in this dialect: each tool called without arguments must name what it requires.
    problems: list[str] = []
    answers: dict[str, Any] = {}
    for name, needed in required.items():
        call = await session.call_tool(name, {}, raise_on_error=False)
        answers[name] = call.text or call.raw
        if not call.is_error:
            problems.append(f"{name} called without arguments answered success: {call.raw}")
        elif "unknown tool" in call.text.lower():
            problems.append(f"tool {name!r} is unknown to the brain: {call.text!r}")
        elif missing := [arg for arg in needed if arg not in call.text]:
            problems.append(f"{name} without arguments did not name required {missing}: {call.text!r}")
    summary = f"{sorted(required)} each named their required arguments when called without them"
    return FunctionalResult("tools_listed", tuple(problems), summary, {"answers": answers})


def _score_problems(results: list[dict[str, Any]], field: str) -> list[str]:
    """The real brain's `similarity_score` is declared in [0, 1]."""
    if field != "similarity_score":
        return []
    outside = [r.get(field) for r in results if not (isinstance(r.get(field), int | float) and 0 <= r[field] <= 1)]
    return [f"{field} outside [0, 1]: {outside}"] if outside else []


async def _tool_execution(session: BrainSession, options: FunctionalOptions) -> FunctionalResult:
    tools, order = session.tools, options.order(session.tools)
    project_id, top_k = options.project_id or _project("find"), options.top_k
    created = {
        name: await session.create_character(project_id, name, personality, appearance)
        for name, personality, appearance in SAMPLE_CHARACTERS
    }
    cap = top_k if tools.limit_arg is not None else tools.max_results
    problems: list[str] = []
    found: dict[str, list[dict[str, Any]]] = {}
    for name, personality, _ in SAMPLE_CHARACTERS:
        results = await session.find_similar(project_id, personality, limit=top_k)
        found[name] = results
        problems += order.problems(results) + _score_problems(results, tools.score_field)
        if not results:
            problems.append(f"query with {name}'s own personality returned no results")
        elif str(results[0].get(tools.result_id_field)) != created[name]:
            top = results[0]
            problems.append(
                f"{name} ({created[name]}) was not the most similar to its own personality; "
                f"top result was {top.get(tools.result_id_field)} {top.get('name')!r}"
            )
        if cap is not None and len(results) > cap:
            problems.append(f"at most {cap} results expected but {len(results)} came back")
    unrelated: dict[str, Any] = {}
    for query in UNRELATED_QUERIES:
        try:
            results = await session.find_similar(project_id, query, limit=top_k)
        except McpToolError as error:
            unrelated[query] = error.text
            problems.append(f"a query related to no character ({query!r}) failed: {error.text}")
            continue
        unrelated[query] = results
        problems += _score_problems(results, tools.score_field)
    return FunctionalResult(
        "tool_execution",
        tuple(problems),
        f"each of {len(created)} characters ranked first for its own personality; "
        f"{len(UNRELATED_QUERIES)} unrelated queries answered",
        {"project_id": project_id, "created": created, "results": found, "unrelated": unrelated},
    )


async def _isolation(session: BrainSession, options: FunctionalOptions) -> FunctionalResult:
    tools = session.tools
    name, personality, appearance = SAMPLE_CHARACTERS[0]
    project_a, project_b = _project("iso-a"), _project("iso-b")
    in_a = await session.create_character(project_a, name, personality, appearance)
    in_b = await session.create_character(project_b, name, personality, appearance)
    results_b = await session.find_similar(project_b, personality, limit=options.top_k)
    ids_b = [str(r.get(tools.result_id_field)) for r in results_b]
    problems = []
    if in_a in ids_b:
        problems.append(f"project {project_b} search returned {in_a} from project {project_a}")
    # Project B is fresh: it holds one character, so any other id came from elsewhere.
    strangers = [i for i in ids_b if i not in (in_a, in_b)]
    if strangers:
        problems.append(f"project {project_b} search returned {len(strangers)} character(s) it never held: {strangers}")
    if in_b not in ids_b:
        problems.append(f"project {project_b} search did not return its own character {in_b}")
    foreign = [r for r in results_b if r.get(tools.project_arg) not in (None, project_b)]
    if foreign:
        problems.append(f"project {project_b} search returned {len(foreign)} result(s) from other projects: {foreign}")
    by_id = await _lookup_across(session, in_a, project_a, project_b, options.top_k, problems)
    return FunctionalResult(
        "project_isolation",
        tuple(problems),
        f"a search in {project_b} never returned {project_a}'s character (by id: {by_id})",
        {"project_a": project_a, "project_b": project_b, "in_a": in_a, "in_b": in_b, "results_b": results_b},
    )


async def _lookup_across(
    session: BrainSession, character_id: str, project_a: str, project_b: str, top_k: int, problems: list[str]
) -> str:
    """Looking up project A's character by id from project B must not leak it (MCP brains that
    search by `character_id`; the tool-json brain has no search by id)."""
    if not session.has_handshake:
        return f"not asked: {session.dialect} has no search by id"
    tools = session.tools
    arguments = {"character_id": character_id, tools.project_arg: project_b, tools.limit_arg or "top_k": top_k}
    try:
        call = await session.call_tool(tools.find_tool, arguments, raise_on_error=False)
    except McpError as error:
        return f"{type(error).__name__}: {error}"
    if call.is_error:
        return f"tool error: {call.text}"
    if any(str(r.get(tools.result_id_field)) == character_id for r in results_of(tools.find_tool, call.data)):
        problems.append(f"character_id {character_id} of {project_a} was found via {project_b}")
    return "answered with results"


Check = Callable[[BrainSession, FunctionalOptions], Awaitable[FunctionalResult]]
CHECKS: dict[str, Check] = {
    "tools_listed": _tools_listed,
    "tool_execution": _tool_execution,
    "project_isolation": _isolation,
}


def could_not_check(error: McpError) -> dict[str, Any] | None:
    """The reason class when `error` means the brain was not exercised (None: it answered)."""
    if isinstance(error, McpDialectError):
        frames = [str(frame)[:300] for frame in error.frames]
        evidence = {"url": error.url, "dialect": error.dialect, "frames": frames}
        return {"reason": "dialect", "message": str(error), "evidence": evidence}
    if isinstance(error, McpResultShapeError):
        return {
            "reason": "dialect",
            "message": f"{error} (set brain_tools to where this brain puts it)",
            "evidence": {},
        }
    if isinstance(error, McpConnectError | McpTimeoutError | McpConnectionClosedError):
        return {"reason": "unreachable", "message": str(error), "evidence": {}}
    return None


async def _guarded(name: str, check: Check, session: BrainSession, options: FunctionalOptions) -> FunctionalResult:
    """A check the brain refused failed; one that could not reach or understand it says so."""
    try:
        result = await check(session, options)
    except McpError as error:
        reason = could_not_check(error)
        if reason is not None:
            return FunctionalResult(name, (), "", {"dialect": session.dialect}, reason)
        return FunctionalResult(name, (f"{type(error).__name__}: {error}",), "", {"dialect": session.dialect})
    return FunctionalResult(result.check, result.problems, result.summary, {**result.data, "dialect": session.dialect})


async def _run(options: FunctionalOptions, names: tuple[str, ...]) -> tuple[FunctionalResult, ...]:
    try:
        settings, detected = await resolve(options.connection())
        session = await open_session(settings)
    except McpError as error:
        reason = could_not_check(error) or {"reason": "unreachable", "message": str(error), "evidence": {}}
        return tuple(FunctionalResult(name, (), "", {}, reason) for name in names)
    try:
        results = [await _guarded(name, CHECKS[name], session, options) for name in names]
    finally:
        await session.close()
    found = {"auto_detected": detected.dialect} if detected else {}
    return tuple(
        FunctionalResult(r.check, r.problems, r.summary, {**r.data, **found}, r.could_not_check) for r in results
    )


async def run_functional_checks_async(
    ws_url: str, *, checks: tuple[str, ...] = CHECK_NAMES, **options: Any
) -> tuple[FunctionalResult, ...]:
    """The named checks (`tools_listed`, `tool_execution`, `project_isolation`; all by default) on
    one connection, each in fresh projects. Options: `dialect` (tool-json, mcp-jsonrpc, auto),
    `brain_tools`, `top_k` (3..100), `ranking` ("auto", "score:desc", "distance:asc", ...),
    `project_id` and the connection settings."""
    unknown = sorted(set(checks) - set(CHECKS))
    settings = FunctionalOptions.of(ws_url=ws_url, **options)
    if unknown or not checks:
        raise McpUsageError(f"checks: got {list(checks)!r}; expected a non-empty subset of {list(CHECKS)}")
    return await _run(settings, tuple(checks))


run_functional_checks = synchronous(run_functional_checks_async)
