"""MCP over WebSocket: a JSON-RPC 2.0 client and the brain-service probe, on `websockets` directly.

WebSocket is not a standard MCP transport (and the MCP Python SDK dropped it in 2.x), so this
package speaks the handshake-era protocol (2024-11-05 … 2025-11-25) itself: `initialize`,
`notifications/initialized`, `tools/list`, `tools/call`, `ping`. The same code runs against the
sandbox stand-in (`workbook.sandbox.brain`) and a live service; only `ws_url` changes.

Every function below is a plain synchronous call that is safe in a notebook: when an event loop
is already running in the calling thread (ipykernel), the work runs on a private loop in a
worker thread. `*_async` twins exist for code that is already async.

    import workbook
    from workbook.mcp import probe_mcp, McpBudgets, run_functional_checks

    report = probe_mcp(ws_url, concurrency_levels=(1, 5, 10, 20), progress=workbook.log)
    report.latency_frame()        # connect / initialize / tools/list / each tool: p50, p90, p99, max (s)
    report.concurrency_frame()    # per level: success_rate, calls/s, connect and round-trip figures,
                                  # client_cpu_fraction and client_bound (the probe itself was the limit)
    report.error_cases_frame()    # unknown method, bad params, malformed JSON, ... (+ no-reply timeouts)
    report.versions_frame()       # handshake per protocol version: requested vs negotiated
    report.budget_frame(McpBudgets(connect_s=2.0, round_trip_s=5.0, min_success_rate=0.8))
    report.to_dict()              # JSON-able, raw samples included, for results.json / evidence

    checks = run_functional_checks(ws_url)      # create → find itself first → projects isolated

Probing reconnects needs a server that drops connections; in the sandbox turn the fault on first:
`workbook.sandbox.set_faults(admin_url, {"drop_connections": 6})`, then `probe_reconnect(ws_url)`.
A run without drops reports `ReconnectResult.exercised == False` rather than a pass.

All durations are seconds, success rates fractions in [0, 1], errors counted by kind
("timeout", "connection_closed", "rpc_error:<code>", "tool_error", "connect_failed", ...).
Every loop is bounded by a count and a deadline.
"""

from ._client import McpClient, ToolCallResult
from ._errors import (
    McpConnectError,
    McpConnectionClosedError,
    McpError,
    McpProtocolError,
    McpRpcError,
    McpTimeoutError,
    McpToolError,
    McpUsageError,
)
from ._functional import (
    check_create_and_find,
    check_project_isolation,
    run_functional_checks,
    run_functional_checks_async,
)
from ._models import (
    BudgetResult,
    ConcurrencyLevel,
    ErrorCaseResult,
    FunctionalResult,
    HandshakeResult,
    LatencySummary,
    McpBudgets,
    McpProbeReport,
    ReconnectResult,
    ToolInfo,
    ToolsListResult,
    functional_frame,
)
from ._probe import (
    DEFAULT_PROTOCOL_VERSION,
    probe_concurrency,
    probe_concurrency_async,
    probe_error_cases,
    probe_error_cases_async,
    probe_mcp,
    probe_mcp_async,
    probe_reconnect,
    probe_reconnect_async,
)

__all__ = [
    "DEFAULT_PROTOCOL_VERSION",
    "BudgetResult",
    "ConcurrencyLevel",
    "ErrorCaseResult",
    "FunctionalResult",
    "HandshakeResult",
    "LatencySummary",
    "McpBudgets",
    "McpClient",
    "McpConnectError",
    "McpConnectionClosedError",
    "McpError",
    "McpProbeReport",
    "McpProtocolError",
    "McpRpcError",
    "McpTimeoutError",
    "McpToolError",
    "McpUsageError",
    "ReconnectResult",
    "ToolCallResult",
    "ToolInfo",
    "ToolsListResult",
    "check_create_and_find",
    "check_project_isolation",
    "functional_frame",
    "probe_concurrency",
    "probe_concurrency_async",
    "probe_error_cases",
    "probe_error_cases_async",
    "probe_mcp",
    "probe_mcp_async",
    "probe_reconnect",
    "probe_reconnect_async",
    "run_functional_checks",
    "run_functional_checks_async",
]
