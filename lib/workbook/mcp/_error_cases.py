"""Stage 5: JSON-RPC error cases. Send an unknown method, bad params, an unknown tool, bad tool
arguments, malformed JSON and a request without method; record the reply (or its absence), any
messages the server sent meanwhile (a `notifications/message` log line is not an answer), and
whether the same connection still answers a ping afterwards."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._client import McpClient
from ._errors import McpConnectionClosedError, McpError, McpRpcError, McpTimeoutError
from ._results import ErrorCaseResult, Outcome
from ._settings import ConnectionSettings
from ._stage import DEADLINE, Deadline, open_session


@dataclass(frozen=True)
class _Case:
    name: str
    expected: str
    # (outcome, code) pairs a correct server may produce; the first is what the spec prescribes.
    accepted: tuple[tuple[Outcome, int | None], ...]
    request: tuple[str, dict[str, Any]] | None = None
    raw: str | None = None


# The seed's "invalid tool calls properly rejected" / "missing parameters trigger appropriate
# errors", and the plain JSON-RPC error cases: two checks over one stage's results.
INVALID_TOOL_CALL_CASES = ("unknown_tool", "bad_tool_arguments", "missing_tool_argument")
JSON_RPC_CASES = ("unknown_method", "bad_params", "malformed_json", "invalid_request")


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
        after = "" if result.usable_after else "; the connection no longer answered a ping afterwards"
        problems.append(f"{name}: got {got}; expected {result.expected}{after}")
    return problems


def _cases(project_id: str) -> tuple[_Case, ...]:
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
            request=(
                "tools/call",
                {"name": "create_character", "arguments": {"name": 42, "project_id": project_id}},
            ),
        ),
        _Case(
            "missing_tool_argument",
            "JSON-RPC error -32602, or a result with isError true (create_character without description)",
            (("error_reply", -32602), ("tool_error", None)),
            request=("tools/call", {"name": "create_character", "arguments": {"name": "x", "project_id": project_id}}),
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


async def _run_case(client: McpClient, case: _Case, no_reply_timeout_s: float) -> ErrorCaseResult:
    outcome: Outcome
    code: int | None = None
    message: str | None = None
    seen_before = len(client.server_messages)
    started = time.perf_counter()
    if case.request is not None:
        method, params = case.request
        sent = json.dumps({"method": method, "params": params})
        try:
            if method == "tools/call" and "name" in params:
                call = await client.call_tool(params["name"], params["arguments"], raise_on_error=False)
                outcome, message = ("tool_error", call.text) if call.is_error else ("result", None)
            else:
                await client.request(method, params, timeout_s=no_reply_timeout_s)
                outcome = "result"
        except McpRpcError as error:
            outcome, code, message = "error_reply", error.code, error.rpc_message
        except McpTimeoutError:
            outcome = "no_reply"
        except McpConnectionClosedError:
            outcome = "connection_closed"
    else:
        assert case.raw is not None
        sent = case.raw
        try:
            reply = await client.send_raw(case.raw, timeout_s=no_reply_timeout_s)
        except McpConnectionClosedError:
            outcome = "connection_closed"
        else:
            if reply is None:
                outcome = "no_reply"
            elif isinstance(reply, dict) and isinstance(reply.get("error"), dict):
                outcome, code = "error_reply", int(reply["error"].get("code", 0))
                message = str(reply["error"].get("message", ""))
            else:
                outcome, message = "result", str(reply)[:200]
    latency = time.perf_counter() - started
    server_messages = tuple(client.server_messages)[seen_before:]
    usable = False
    if not client.closed:
        try:
            await client.ping(timeout_s=no_reply_timeout_s)
            usable = True
        except McpError:
            usable = False
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
    )


async def error_cases(
    settings: ConnectionSettings, project_id: str, no_reply_timeout_s: float, deadline: Deadline
) -> tuple[ErrorCaseResult, ...]:
    results: list[ErrorCaseResult] = []
    client: McpClient | None = None
    try:
        for case in _cases(project_id):
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
