"""Stage 5: error cases, in the dialect spoken. Both: an unknown tool, bad tool arguments, a
missing argument, malformed JSON, a message without its tool/method. MCP also: an unknown method,
`tools/call` without a name. tool-json also: a frame that is JSON but not an object. Each records
the reply (or its absence), any messages the server sent meanwhile (a `notifications/message` log
line is not an answer), and whether the same connection still answers afterwards (MCP: a `ping`;
tool-json: `{}`, which must get its error reply) — `liveness` names what was sent."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._brain import BrainSession, BrainTools, RawReply
from ._dialects.mcp_jsonrpc import McpJsonRpcSession
from ._errors import McpConnectionClosedError, McpDialectError, McpError, McpRpcError, McpTimeoutError
from ._results import ErrorCaseResult, Outcome
from ._settings import ConnectionSettings
from ._stage import DEADLINE, Deadline, open_session, tools_of


@dataclass(frozen=True)
class _Case:
    name: str
    expected: str
    # (outcome, code) pairs a correct server may produce; the first is what the spec prescribes.
    accepted: tuple[tuple[Outcome, int | None], ...]
    request: tuple[str, dict[str, Any]] | None = None
    raw: str | None = None


# The seed's "invalid tool calls properly rejected" / "missing parameters trigger appropriate
# errors", and each dialect's own protocol error cases: two checks over one stage's results.
INVALID_TOOL_CALL_CASES = ("unknown_tool", "bad_tool_arguments", "missing_tool_argument")
PROTOCOL_CASES: dict[str, tuple[str, ...]] = {
    "mcp-jsonrpc": ("unknown_method", "bad_params", "malformed_json", "invalid_request"),
    "tool-json": ("malformed_json", "invalid_request", "not_an_object"),
}
JSON_RPC_CASES = PROTOCOL_CASES["mcp-jsonrpc"]


def case_problems(results: Sequence[ErrorCaseResult], names: Sequence[str]) -> list[str]:
    """One problem per case in `names` that a correct server would not have produced (or that did
    not run); a case the server handled in an accepted but not spec-exact way is no problem."""
    by_name = {result.case: result for result in results}
    problems = []
    for name in names:
        result = by_name.get(name)
        if result is None:
            problems.append(f"{name}: not run")
            continue
        if result.accepted:
            continue
        got = result.outcome + (f" {result.code}" if result.code is not None else "")
        if result.message:
            got += f" ({result.message[:120]})"
        after = ""
        if result.usable_after is False and result.liveness:
            after = f"; the connection no longer answered {result.liveness} afterwards"
        problems.append(f"{name}: got {got}; expected {result.expected}{after}")
    return problems


def _mcp_cases(project_id: str, tools: BrainTools) -> tuple[_Case, ...]:
    create = tools.create_tool
    return (
        _Case(
            "unknown_method",
            "JSON-RPC error -32601 (mcp SDK 1.x servers answer -32602)",
            (("error_reply", -32601), ("error_reply", -32602)),
            request=("workbook/no_such_method", {}),
        ),
        _Case(
            "bad_params",
            "JSON-RPC error -32602 (tools/call without a tool name)",
            (("error_reply", -32602),),
            request=("tools/call", {"arguments": {}}),
        ),
        _Case(
            "unknown_tool",
            "JSON-RPC error -32602, or a result with isError true",
            (("error_reply", -32602), ("tool_error", None)),
            request=("tools/call", {"name": "workbook_no_such_tool", "arguments": {}}),
        ),
        _Case(
            "bad_tool_arguments",
            "JSON-RPC error -32602, or a result with isError true (2025-11-25 prefers isError)",
            (("error_reply", -32602), ("tool_error", None)),
            request=("tools/call", {"name": create, "arguments": {tools.name_arg: 42, tools.project_arg: project_id}}),
        ),
        _Case(
            "missing_tool_argument",
            f"JSON-RPC error -32602, or a result with isError true ({create} without {tools.personality_arg})",
            (("error_reply", -32602), ("tool_error", None)),
            request=("tools/call", {"name": create, "arguments": {tools.name_arg: "x", tools.project_arg: project_id}}),
        ),
        _Case(
            "malformed_json",
            "JSON-RPC error -32700 with id null, or no reply at all",
            (("error_reply", -32700), ("no_reply", None)),
            raw='{"jsonrpc": "2.0", "id": 99, "method": "tools/list", ',
        ),
        _Case(
            "invalid_request",
            "JSON-RPC error -32600 (a request without method), or no reply at all",
            (("error_reply", -32600), ("no_reply", None)),
            raw='{"jsonrpc": "2.0", "id": "no-method"}',
        ),
    )


TOOL_JSON_ANSWER = 'a {"status": "error", "message": ...} reply (this dialect answers every frame)'


def _tool_json_cases(project_id: str, tools: BrainTools) -> tuple[_Case, ...]:
    error: tuple[tuple[Outcome, int | None], ...] = (("error_reply", None),)
    create = {"tool": tools.create_tool, tools.project_arg: project_id}
    bad_types = {**create, **tools.create_arguments(project_id, 42, "x", "y"), tools.project_arg: 7}  # type: ignore[arg-type]
    return (
        _Case(
            "unknown_tool",
            f"{TOOL_JSON_ANSWER}: unknown tool",
            error,
            raw=json.dumps({"tool": "workbook_no_such_tool"}),
        ),
        _Case(
            "bad_tool_arguments", f"{TOOL_JSON_ANSWER}: arguments of the wrong type", error, raw=json.dumps(bad_types)
        ),
        _Case(
            "missing_tool_argument",
            f"{TOOL_JSON_ANSWER}: {tools.create_tool} without {tools.personality_arg}",
            error,
            raw=json.dumps({**create, tools.name_arg: "x"}),
        ),
        _Case("malformed_json", f"{TOOL_JSON_ANSWER}: malformed JSON", error, raw='{"tool": "create_character", '),
        _Case("invalid_request", f"{TOOL_JSON_ANSWER}: no tool field", error, raw=json.dumps({"id": "no-tool"})),
        _Case("not_an_object", f"{TOOL_JSON_ANSWER}: a JSON array, not an object", error, raw="[1, 2]"),
    )


CASES: dict[str, Callable[[str, BrainTools], tuple[_Case, ...]]] = {
    "mcp-jsonrpc": _mcp_cases,
    "tool-json": _tool_json_cases,
}


async def _send(client: BrainSession, case: _Case, no_reply_timeout_s: float) -> tuple[str, RawReply]:
    """(what was sent, the reply as this dialect reads it)."""
    if case.raw is not None:
        return case.raw, await client.send_raw(case.raw, timeout_s=no_reply_timeout_s)
    assert case.request is not None
    method, params = case.request
    sent = json.dumps({"method": method, "params": params})
    if method == "tools/call" and "name" in params:
        try:
            call = await client.call_tool(params["name"], params["arguments"], raise_on_error=False)
        except McpRpcError as error:
            return sent, RawReply("reply", None, True, error.code, error.rpc_message)
        except McpTimeoutError:
            return sent, RawReply("no_reply")
        except McpConnectionClosedError:
            return sent, RawReply("connection_closed")
        return sent, RawReply("tool_error" if call.is_error else "reply", call.raw, call.is_error, None, call.text)
    assert isinstance(client, McpJsonRpcSession)
    return sent, await client.request(method, params, timeout_s=no_reply_timeout_s)


def _outcome(reply: RawReply) -> tuple[Outcome, int | None, str | None]:
    if reply.kind == "tool_error":
        return "tool_error", None, reply.message
    if reply.kind in ("no_reply", "connection_closed"):
        return reply.kind, None, None  # type: ignore[return-value]
    if reply.error:
        return "error_reply", reply.code, reply.message
    shown = reply.frame if isinstance(reply.frame, str) else json.dumps(reply.frame)
    return "result", None, (shown or "")[:200] or None


async def _run_case(client: BrainSession, case: _Case, no_reply_timeout_s: float) -> ErrorCaseResult:
    seen_before = len(client.server_messages)
    started = time.perf_counter()
    sent, reply = await _send(client, case, no_reply_timeout_s)
    outcome, code, message = _outcome(reply)
    latency = time.perf_counter() - started
    server_messages = client.server_messages[seen_before:]
    usable = False if client.closed else await client.still_answers(timeout_s=no_reply_timeout_s)
    got = (outcome, code if outcome == "error_reply" else None)
    return ErrorCaseResult(
        case.name,
        sent[:200],
        outcome,
        accepted=got in case.accepted and usable,
        spec_exact=got == case.accepted[0],
        usable_after=usable,
        code=code,
        message=message,
        latency_s=latency,
        expected=case.expected,
        server_messages=server_messages,
        liveness=client.liveness,
    )


async def error_cases(
    settings: ConnectionSettings, project_id: str, no_reply_timeout_s: float, deadline: Deadline
) -> tuple[ErrorCaseResult, ...]:
    results: list[ErrorCaseResult] = []
    client: BrainSession | None = None
    try:
        for case in CASES[settings.dialect](project_id, tools_of(settings)):
            if deadline.passed:
                results.append(
                    ErrorCaseResult(
                        case.name, "", "not_run", False, False, False, message=DEADLINE, expected=case.expected
                    )
                )
                continue
            if client is None or client.closed:
                if client is not None:
                    await client.close()
                try:
                    client = await open_session(settings)
                except McpDialectError:
                    raise
                except McpError as error:
                    client = None
                    results.append(
                        ErrorCaseResult(
                            case.name,
                            "",
                            "connection_closed",
                            False,
                            False,
                            False,
                            message=f"could not open a session: {error}",
                            expected=case.expected,
                        )
                    )
                    continue
            results.append(await _run_case(client, case, no_reply_timeout_s))
    finally:
        if client is not None:
            await client.close()
    return tuple(results)
