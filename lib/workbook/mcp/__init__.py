"""The brain service over WebSocket, in either of its dialects, and the probe that measures it.

Two dialects behind one client interface (`_brain.BrainSession`, one module each in `_dialects/`):

* `tool-json` — the movie brain's own (jomapps/mcp-brain-service): WebSocket at `/` of its HTTP
  port, one flat `{"tool": NAME, ...arguments}` frame answered by one `{"status": "success" |
  "error", ...}` frame, no ids, no handshake.
* `mcp-jsonrpc` — MCP over WebSocket, JSON-RPC 2.0, handshake-era (2024-11-05 … 2025-11-25):
  `initialize`, `tools/list`, `tools/call`, `ping` (`McpClient`; it answers the server's own
  pings; server notifications are recorded, never taken as an answer).
* `auto` decides in ONE round trip (MCP `initialize`: a JSON-RPC answer is MCP, a `{"status"}`
  answer is tool-json) and reports which it found.

Tool names, argument names and result fields are options (`BrainTools`, `brain_tools: {...}`)
defaulting to each dialect's real speaker's. A reply that is valid JSON in the OTHER envelope ends
the exchange at once with `McpDialectError` (URL, dialect, the frames as evidence): never queued
unseen and reported as a timeout.

This package measures; it does not judge budgets: `workbook.probes.evaluate_mcp_budgets` applies
the seed's budgets to a report (one verdict, in one place). Every function below is a plain
synchronous call that is safe in a notebook (`workbook.run_sync` underneath).

    from workbook import mcp

    report = mcp.probe_mcp(ws_url, dialect="tool-json", concurrency_levels=(1, 5, 10, 20))
    report.dialect                # the dialect spoken (auto: what was found; settings["auto_detected"])
    report.not_speaking           # set when the server answered in another envelope (nothing measured)
    report.latency_frame()        # connect / [initialize / tools/list] / each tool: p50, p90, p99, max (s)
    report.concurrency_frame()    # per level: success_rate, calls/s, connect and round-trip figures,
                                  # client_cpu_fraction and client_bound (the probe itself was the limit)
    report.error_cases_frame()    # the dialect's error cases (+ no-reply timeouts)
    report.to_dict()              # JSON-able, raw samples included, for results.json / evidence

    results = mcp.run_functional_checks(ws_url, dialect="auto")   # tools present, create -> find, isolation

    session = await mcp.connect_brain(ws_url, dialect="tool-json")   # async, for code on one loop
    character_id = await session.create_character(project, name, personality, appearance)
    results = await session.find_similar(project, "a query")  # [{"id", "name", "similarity_score"}]
    mcp.case_problems(report.error_cases, mcp.PROTOCOL_CASES[report.dialect])   # [] when all were answered right

Probing reconnects needs a server that drops connections; in the sandbox turn the fault on first:
`workbook.sandbox.set_faults(admin_url, {"drop_connections": 6})`, then `probe_reconnect(ws_url)`.
A run without drops reports `ReconnectResult.exercised == False` rather than a pass.

All durations are seconds, success rates fractions in [0, 1], errors counted by kind
("timeout", "connection_closed", "rpc_error:<code>", "tool_error", "connect_failed", "dialect", ...).
Every loop is bounded by a count and a deadline.
"""

from ._brain import BrainSession, BrainTools, RawReply
from ._client import McpClient, ToolCallResult
from ._dialects import PROTOCOLS, Detected
from ._error_cases import INVALID_TOOL_CALL_CASES, JSON_RPC_CASES, PROTOCOL_CASES, case_problems
from ._errors import (
    McpConnectError,
    McpConnectionClosedError,
    McpDialectError,
    McpError,
    McpProtocolError,
    McpResultShapeError,
    McpRpcError,
    McpTimeoutError,
    McpToolError,
    McpUsageError,
)
from ._functional import SAMPLE_CHARACTERS, UNRELATED_QUERIES, run_functional_checks
from ._probe import probe_concurrency, probe_error_cases, probe_mcp, probe_mcp_async, probe_reconnect
from ._report import McpProbeReport
from ._results import ConcurrencyLevel, ErrorCaseResult, FunctionalResult, ReconnectResult, functional_frame
from ._settings import DEFAULT_PROTOCOL_VERSION, HANDSHAKE_PROTOCOL_VERSIONS
from ._shapes import Ranking, tool_data
from ._stage import connect_brain

__all__ = [
    "DEFAULT_PROTOCOL_VERSION",
    "HANDSHAKE_PROTOCOL_VERSIONS",
    "INVALID_TOOL_CALL_CASES",
    "JSON_RPC_CASES",
    "PROTOCOLS",
    "PROTOCOL_CASES",
    "SAMPLE_CHARACTERS",
    "UNRELATED_QUERIES",
    "BrainSession",
    "BrainTools",
    "ConcurrencyLevel",
    "Detected",
    "ErrorCaseResult",
    "FunctionalResult",
    "McpClient",
    "McpConnectError",
    "McpConnectionClosedError",
    "McpDialectError",
    "McpError",
    "McpProbeReport",
    "McpProtocolError",
    "McpResultShapeError",
    "McpRpcError",
    "McpTimeoutError",
    "McpToolError",
    "McpUsageError",
    "Ranking",
    "RawReply",
    "ReconnectResult",
    "ToolCallResult",
    "case_problems",
    "connect_brain",
    "functional_frame",
    "probe_concurrency",
    "probe_error_cases",
    "probe_mcp",
    "probe_mcp_async",
    "probe_reconnect",
    "run_functional_checks",
    "tool_data",
]
