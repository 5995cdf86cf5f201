"""HTTP performance probes that tell the truth, budgets and the perf notebook's plots.

Owns: the probe engine (closed-loop throughput probe, open-loop latency probe measured from the
scheduled send time), its self-check (client CPU and event-loop lag → `client_bound`), the
budget evaluation for the seed's performance table (HTTP and, through `workbook.mcp`,
WebSocket/MCP), and the figures. MCP protocol probing itself lives in `workbook.mcp`.

    from workbook import probes
    targets = probes.parse_targets([{"name": "health", "url": url}], loopback_only=True)
    lat = probes.latency_probe(targets[0], rate_rps=200, duration_s=10, max_requests=3000)
    runs = probes.concurrency_sweep(targets, [5, 10, 20], duration_s=5, max_requests=100_000)
    probes.results_table([lat, *runs])          # p50…max, success, late/dropped, client_bound

Every probe is bounded by duration AND request count (no unbounded mode), sends only to the
targets it is given, and refuses non-loopback URLs when `loopback_only` (sandbox) is set.
Each probe runs on a private event loop in a worker thread, so it works the same in a script
and in a notebook kernel. The load path uses a keep-alive HTTP/1.1 transport on `httptools`
(chosen by measurement against aiohttp and httpx, see `_transport`); `transport="aiohttp"` is the
general fallback.
"""

from ._budgets import (
    BUDGET_CHECKS,
    PERF_CHECKS,
    SEED_BUDGETS,
    BudgetOutcome,
    PerfBudgets,
    budget_table,
    evaluate_http_budgets,
    evaluate_mcp_budgets,
    record_budget_checks,
    record_self_check,
)
from ._closed import throughput_probe_async
from ._config import Bounds, HttpTarget, check_url, parse_targets
from ._errors import ProbeConfigError, ProbeError
from ._histogram import LatencyStats
from ._open import latency_probe_async
from ._plots import plot_latency_histogram, plot_throughput_vs_concurrency, plot_timeline, save_figure
from ._result import ProbeResult, results_table, write_results_json
from ._run import concurrency_sweep, latency_probe, latency_probes, throughput_probe
from ._selfcheck import ClientBoundThresholds, SelfCheck, judge_client_bound
from ._transport import DEFAULT_TRANSPORT, AiohttpTransport, HttpxTransport, Outcome, Transport

__all__ = [
    "BUDGET_CHECKS",
    "DEFAULT_TRANSPORT",
    "PERF_CHECKS",
    "SEED_BUDGETS",
    "AiohttpTransport",
    "Bounds",
    "BudgetOutcome",
    "ClientBoundThresholds",
    "HttpTarget",
    "HttpxTransport",
    "LatencyStats",
    "Outcome",
    "PerfBudgets",
    "ProbeConfigError",
    "ProbeError",
    "ProbeResult",
    "SelfCheck",
    "Transport",
    "budget_table",
    "check_url",
    "concurrency_sweep",
    "evaluate_http_budgets",
    "evaluate_mcp_budgets",
    "judge_client_bound",
    "latency_probe",
    "latency_probe_async",
    "latency_probes",
    "parse_targets",
    "plot_latency_histogram",
    "plot_throughput_vs_concurrency",
    "plot_timeline",
    "record_budget_checks",
    "record_self_check",
    "results_table",
    "save_figure",
    "throughput_probe",
    "throughput_probe_async",
    "write_results_json",
]
