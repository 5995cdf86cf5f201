"""HTTP performance probes that tell the truth, the seed's budgets, and notebook 30's checks.

Owns: the probe engine (closed-loop throughput probe, open-loop latency probe measured from the
scheduled send time, each watching itself through `workbook.timing` → `client_bound`), the one
budget verdict for the seed's performance table (HTTP and, from a `workbook.mcp` report, the
brain's WebSocket in either dialect), the figures, and notebook 30 (`CHECKS`, `PerfSettings`,
`PerfRun`, one `check_<id>(c, run)` per check, including the brain's checks in the seed's words;
its targets and the brain's endpoint come from the params' service profiles, `_services`).

    from workbook import probes
    targets = probes.parse_targets([{"name": "health", "url": url}], loopback_only=True)
    lat = probes.latency_probe(targets[0], rate_rps=200, duration_s=10, max_requests=3000)
    runs = probes.concurrency_sweep(targets, [5, 10, 20], duration_s=5, max_requests=100_000)
    probes.results_table([lat, *runs])          # p50…max, success, late/dropped, client_bound

Every probe is bounded by duration AND request count (no unbounded mode), sends only to the
targets it is given, and refuses non-loopback URLs when `loopback_only` (sandbox) is set.
Each probe runs on a private event loop in a worker thread (`workbook.run_sync`), so it works
the same in a script and in a notebook kernel. The load path uses a keep-alive HTTP/1.1
transport on `httptools` (chosen by measurement against aiohttp and httpx, see `_transports`);
`transport="aiohttp"` is the general fallback.
"""

from ._budgets import SEED_BUDGETS, PerfBudgets, budget_table, evaluate_http_budgets, evaluate_mcp_budgets
from ._checks import (
    CHECKS,
    check_budget_embedding,
    check_budget_health_response,
    check_budget_http_success,
    check_budget_ws_connect,
    check_budget_ws_round_trip,
    check_budget_ws_success,
    check_mcp_error_cases,
    check_mcp_invalid_tool_calls,
    check_mcp_project_isolation,
    check_mcp_reconnect,
    check_mcp_tool_execution,
    check_mcp_tools_listed,
    check_probe_self_check,
)
from ._config import Bounds, HttpTarget, check_url, parse_targets
from ._errors import ProbeConfigError, ProbeError
from ._perf import PerfRun, PerfSettings
from ._plots import plot_latency_histogram, plot_throughput_vs_concurrency, plot_timeline
from ._result import ProbeResult, results_table
from ._run import (
    concurrency_sweep,
    latency_probe,
    latency_probes,
    sharded_latency_probe,
    sharded_throughput_probe,
    throughput_probe,
)
from ._shards import merge_histograms, merge_results
from ._transports import DEFAULT_TRANSPORT

__all__ = [
    "CHECKS",
    "DEFAULT_TRANSPORT",
    "SEED_BUDGETS",
    "Bounds",
    "HttpTarget",
    "PerfBudgets",
    "PerfRun",
    "PerfSettings",
    "ProbeConfigError",
    "ProbeError",
    "ProbeResult",
    "budget_table",
    "check_budget_embedding",
    "check_budget_health_response",
    "check_budget_http_success",
    "check_budget_ws_connect",
    "check_budget_ws_round_trip",
    "check_budget_ws_success",
    "check_mcp_error_cases",
    "check_mcp_invalid_tool_calls",
    "check_mcp_project_isolation",
    "check_mcp_reconnect",
    "check_mcp_tool_execution",
    "check_mcp_tools_listed",
    "check_probe_self_check",
    "check_url",
    "concurrency_sweep",
    "evaluate_http_budgets",
    "evaluate_mcp_budgets",
    "latency_probe",
    "latency_probes",
    "merge_histograms",
    "merge_results",
    "parse_targets",
    "plot_latency_histogram",
    "plot_throughput_vs_concurrency",
    "plot_timeline",
    "results_table",
    "sharded_latency_probe",
    "sharded_throughput_probe",
    "throughput_probe",
]
