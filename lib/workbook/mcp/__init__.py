"""MCP over WebSocket: a JSON-RPC 2.0 client and the brain-service probe, on `websockets` directly.

WebSocket is not a standard MCP transport (and the MCP Python SDK dropped it in 2.x), so this
package speaks the handshake-era protocol (2024-11-05 … 2025-11-25) itself: `initialize`,
`notifications/initialized`, `tools/list`, `tools/call`, `ping` — and, as the spec requires,
answers the server's own `ping`s. Server notifications (e.g. the SDK's `notifications/message` log
lines) are recorded, never taken as an answer. The same code runs against the sandbox stand-in
and a live service (including servers built on the MCP Python SDK); only `ws_url` changes.

This package measures; it does not judge budgets: `workbook.probes.evaluate_mcp_budgets` applies
the seed's budgets to a report (one verdict, in one place).

Every function below is a plain synchronous call that is safe in a notebook: when an event loop
is already running in the calling thread (ipykernel), the work runs on a private loop in a
worker thread (`workbook.run_sync`).

    import workbook
    from workbook import mcp

    report = mcp.probe_mcp(ws_url, concurrency_levels=(1, 5, 10, 20), progress=workbook.log)
    report.latency_frame()        # connect / initialize / tools/list / each tool: p50, p90, p99, max (s)
    report.concurrency_frame()    # per level: success_rate, calls/s, connect and round-trip figures,
                                  # client_cpu_fraction and client_bound (the probe itself was the limit)
    report.error_cases_frame()    # unknown method, bad params, malformed JSON, ... (+ no-reply timeouts)
    report.versions_frame()       # handshake per protocol version: requested vs negotiated
    report.to_dict()              # JSON-able, raw samples included, for results.json / evidence

    results = mcp.run_functional_checks(ws_url)   # tools listed, create → find itself first, isolation
    mcp.case_problems(report.error_cases, mcp.INVALID_TOOL_CALL_CASES)   # [] when all were rejected

Tool results are read in every shape correct servers produce (`structuredContent` wrapped or not,
one or several text items, a flat or nested character), and similarity ranking by a `score`
(descending) or a `distance` (ascending) — or as `ranking="FIELD:asc|desc"` says.

Probing reconnects needs a server that drops connections; in the sandbox turn the fault on first:
`workbook.sandbox.set_faults(admin_url, {"drop_connections": 6})`, then `probe_reconnect(ws_url)`.
A run without drops reports `ReconnectResult.exercised == False` rather than a pass.

All durations are seconds, success rates fractions in [0, 1], errors counted by kind
("timeout", "connection_closed", "rpc_error:<code>", "tool_error", "connect_failed", ...).
Every loop is bounded by a count and a deadline.
"""

from ._client import McpClient, ToolCallResult
from ._error_cases import INVALID_TOOL_CALL_CASES, JSON_RPC_CASES, case_problems
from ._errors import (
    McpConnectError,
    McpConnectionClosedError,
    McpError,
    McpProtocolError,
    McpResultShapeError,
    McpRpcError,
    McpTimeoutError,
    McpToolError,
    McpUsageError,
)
from ._functional import run_functional_checks
from ._probe import probe_concurrency, probe_error_cases, probe_mcp, probe_mcp_async, probe_reconnect
from ._report import McpProbeReport
from ._results import ConcurrencyLevel, ErrorCaseResult, FunctionalResult, ReconnectResult, functional_frame
from ._settings import DEFAULT_PROTOCOL_VERSION, HANDSHAKE_PROTOCOL_VERSIONS
from ._shapes import Ranking, tool_data

__all__ = [
    "DEFAULT_PROTOCOL_VERSION",
    "HANDSHAKE_PROTOCOL_VERSIONS",
    "INVALID_TOOL_CALL_CASES",
    "JSON_RPC_CASES",
    "ConcurrencyLevel",
    "ErrorCaseResult",
    "FunctionalResult",
    "McpClient",
    "McpConnectError",
    "McpConnectionClosedError",
    "McpError",
    "McpProbeReport",
    "McpProtocolError",
    "McpResultShapeError",
    "McpRpcError",
    "McpTimeoutError",
    "McpToolError",
    "McpUsageError",
    "Ranking",
    "ReconnectResult",
    "ToolCallResult",
    "case_problems",
    "functional_frame",
    "probe_concurrency",
    "probe_error_cases",
    "probe_mcp",
    "probe_mcp_async",
    "probe_reconnect",
    "run_functional_checks",
    "tool_data",
]
