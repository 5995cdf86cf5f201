"""The brain WebSocket probe's entry points, in either dialect: the whole run (`probe_mcp`) and
each stage on its own.

Options are validated once (`_settings`, pydantic): a bad value raises `McpUsageError` naming
it and what was expected, before anything connects. The stages live in `_connect`, `_session`,
`_concurrency`, `_reconnect` and `_error_cases`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

from ._concurrency import run_level
from ._connect import connect_samples
from ._dialects import Detected
from ._error_cases import error_cases
from ._errors import McpConnectError, McpDialectError
from ._reconnect import reconnect
from ._report import McpProbeReport
from ._results import ConcurrencyLevel, ErrorCaseResult, HandshakeResult, ReconnectResult
from ._session import session, versions
from ._settings import (
    ConcurrencyOptions,
    ConnectionSettings,
    ErrorCaseOptions,
    McpProbeOptions,
    ReconnectOptions,
    ToolCalls,
)
from ._stage import Deadline, default_tool_calls, new_project_id, resolve, tools_of
from ._sync import synchronous

MAX_RECONNECTS = 20


async def _calls(settings: ConnectionSettings, tool_calls: ToolCalls | None, project_id: str | None) -> ToolCalls:
    if tool_calls is not None:
        return dict(tool_calls)
    return default_tool_calls(project_id or new_project_id(), tools_of(settings))


async def probe_concurrency_async(
    ws_url: str, levels: Sequence[int] = (1, 5, 10, 20), **options: Any
) -> tuple[ConcurrencyLevel, ...]:
    """For each level N: open N connections at once, handshake each, then N x `calls_per_connection`
    concurrent tool-call round trips (the tools in turn). Each level is cut off after
    `level_timeout_s`. Options: `calls_per_connection`, `tool_calls`, `project_id`,
    `level_timeout_s` and the connection settings (`dialect`, `brain_tools`, `protocol_version`,
    `open_timeout_s`, `message_timeout_s`, `compression`, `subprotocols`)."""
    settings = ConcurrencyOptions.of(ws_url=ws_url, levels=levels, **options)
    connection, _ = await resolve(settings.connection())
    calls = await _calls(connection, settings.tool_calls, settings.project_id)
    return tuple(
        [
            await run_level(connection, n, settings.calls_per_connection, calls, settings.level_timeout_s)
            for n in settings.levels
        ]
    )


async def probe_reconnect_async(ws_url: str, **options: Any) -> ReconnectResult:
    """`calls` sequential calls of `tool` (default: the dialect's find tool); whenever the server
    drops the connection, reconnect and re-handshake (at most `max_reconnects` times) and go on. A
    call lost to a drop counts as failed. Options: `calls`, `tool`, `arguments`, `project_id`,
    `max_reconnects`, `max_duration_s` and the connection settings."""
    settings = ReconnectOptions.of(ws_url=ws_url, **options)
    connection, _ = await resolve(settings.connection())
    tool = settings.tool or tools_of(connection).find_tool
    arguments = settings.arguments
    if arguments is None:
        arguments = (await _calls(connection, None, settings.project_id))[tool]
    return await reconnect(
        connection,
        settings.calls,
        tool,
        arguments,
        settings.max_reconnects,
        Deadline.after(settings.max_duration_s),
    )


async def probe_error_cases_async(
    ws_url: str, *, no_reply_timeout_s: float = 2.0, **options: Any
) -> tuple[ErrorCaseResult, ...]:
    """Send the dialect's error cases (an unknown tool, bad tool arguments, a missing argument,
    malformed JSON, a message without tool/method, ...); record the reply (or its absence after
    `no_reply_timeout_s`) and whether the connection still answers afterwards. Options:
    `project_id`, `max_duration_s` and the connection settings."""
    settings = ErrorCaseOptions.of(ws_url=ws_url, message_timeout_s=no_reply_timeout_s, **options)
    connection, _ = await resolve(settings.connection())
    return await error_cases(
        connection,
        settings.project_id or new_project_id(),
        settings.message_timeout_s,
        Deadline.after(settings.max_duration_s),
    )


async def probe_mcp_async(
    ws_url: str, *, progress: Callable[[str], None] | None = None, **options: Any
) -> McpProbeReport:
    """The whole probe against one brain WebSocket URL, in the dialect `dialect` names (`auto`:
    decided first, in one round trip, and reported); see the package docstring.

    Options (`McpProbeOptions`): `dialect`, `brain_tools`, `connect_samples`, `calls_per_tool`,
    `tool_calls` (tool name -> arguments; `{i}` in a string becomes the call index; the default
    calls the dialect's `create_character` and `find_similar_characters` in a fresh project
    `workbook-probe-<hex>`, which against a live service creates characters), `project_id`,
    `concurrency_levels` (empty skips the sweep), `calls_per_connection`, `reconnect_calls` (0
    skips), `error_cases` (False skips), `versions` (MCP protocol versions to handshake with, one
    fresh connection each), `no_reply_timeout_s`, `level_timeout_s`, `max_duration_s` and the
    connection settings. `progress` gets one line per stage (pass `workbook.log` for headless
    runs). The whole run stops at `max_duration_s`; what it could not do by then is counted as
    failed with the kind "deadline".

    A server that answers in another dialect's envelope ends the probe at once: the report's
    `not_speaking` holds the evidence (URL, dialect, frames) and no figure is taken from it.
    """
    settings = McpProbeOptions.of(ws_url=ws_url, **options)
    say = progress or (lambda _line: None)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    deadline = Deadline.after(settings.max_duration_s)
    empty = McpProbeReport.empty(ws_url, started_at, _recorded(settings, settings.project_id, []))
    try:
        connection, detected = await resolve(settings.connection())
    except McpDialectError as error:
        return empty.stopped(error, time.perf_counter() - t0)
    except McpConnectError as error:
        return empty.unreachable_after(error, time.perf_counter() - t0)
    if detected is not None:
        say(f"auto-detected {detected.dialect} in {detected.latency_s * 1e3:.0f} ms")
    project = settings.project_id or new_project_id()
    calls = await _calls(connection, settings.tool_calls, project)
    recorded = _recorded(settings, project, list(calls), connection.dialect, detected)
    try:
        return await _stages(settings, connection, calls, project, deadline, say, started_at, t0, recorded)
    except McpDialectError as error:
        return McpProbeReport.empty(ws_url, started_at, recorded).stopped(error, time.perf_counter() - t0)


def _recorded(
    settings: McpProbeOptions,
    project: str | None,
    tools_called: list[str],
    dialect: str | None = None,
    detected: Detected | None = None,
) -> dict[str, Any]:
    """The settings as the report keeps them (never the headers: they may carry credentials)."""
    return {
        **settings.model_dump(mode="json", exclude={"ws_url", "tool_calls", "project_id", "headers"}),
        "dialect": dialect or settings.dialect,
        "auto_detected": detected.to_dict() if detected else None,
        "project_id": project,
        "tools_called": tools_called,
    }


async def _stages(
    settings: McpProbeOptions,
    connection: ConnectionSettings,
    calls: ToolCalls,
    project: str,
    deadline: Deadline,
    say: Callable[[str], None],
    started_at: str,
    t0: float,
    recorded: dict[str, Any],
) -> McpProbeReport:
    say(f"connect x{settings.connect_samples}")
    connect = await connect_samples(connection, settings.connect_samples, deadline)
    say("handshake, tool listing, tool round trips")
    handshake, tools, per_tool = await session(connection, calls, settings.calls_per_tool, deadline)
    handshake_versions: tuple[HandshakeResult, ...] = ()
    if handshake.ok and handshake.negotiated_version is not None:
        say(f"handshake with each of {len(settings.versions)} protocol versions")
        handshake_versions = await versions(connection, settings.versions, deadline)
    levels: list[ConcurrencyLevel] = []
    for n in settings.concurrency_levels:
        say(f"concurrency {n}")
        if deadline.passed:
            break
        level_budget = min(settings.level_timeout_s, max(deadline.left, 0.001))
        levels.append(await run_level(connection, n, settings.calls_per_connection, calls, level_budget))
    reconnected = None
    if settings.reconnect_calls and not deadline.passed:
        say("reconnect")
        find = tools_of(connection).find_tool
        tool = find if find in calls else next(iter(calls))
        reconnected = await reconnect(connection, settings.reconnect_calls, tool, calls[tool], MAX_RECONNECTS, deadline)
    cases: tuple[ErrorCaseResult, ...] = ()
    if settings.error_cases and not deadline.passed:
        say("error cases")
        quick = connection.model_copy(update={"message_timeout_s": settings.no_reply_timeout_s})
        cases = await error_cases(quick, project, settings.no_reply_timeout_s, deadline)
    return McpProbeReport(
        ws_url=settings.ws_url,
        started_at=started_at,
        duration_s=time.perf_counter() - t0,
        settings=recorded,
        connect=connect,
        handshake=handshake,
        tools=tools,
        tool_calls=per_tool,
        concurrency=tuple(levels),
        reconnect=reconnected,
        error_cases=cases,
        handshake_versions=handshake_versions,
    )


probe_mcp = synchronous(probe_mcp_async)
probe_concurrency = synchronous(probe_concurrency_async)
probe_reconnect = synchronous(probe_reconnect_async)
probe_error_cases = synchronous(probe_error_cases_async)
