"""Performance budgets: pass/fail per budget with the measured value, one check each.

Defaults are the seed's table ("Performance Benchmarks Established"):

| metric                           | target                          |
|----------------------------------|---------------------------------|
| WebSocket connection latency     | < 2.0 s                         |
| message round trip               | < 5.0 s                         |
| concurrent connection support    | > 80 % success (≤ 10 connections) |
| embedding generation             | < 15 s (create_character call)  |
| service health response          | < 2.0 s                         |

A budget whose metric was not measured fails ("not measured"), it never passes empty. A value
measured by a client-bound probe is still judged, and the detail says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..timing import Count, Fraction, PositiveSeconds, Statistic
from ._errors import ProbeSettings
from ._result import ProbeResult

if TYPE_CHECKING:
    import pandas as pd

    from ..checks import CheckContext
    from ..mcp import McpProbeReport

BUDGET_TITLES: dict[str, str] = {
    "budget_health_response": "HTTP health endpoints respond within budget (latency from scheduled send)",
    "budget_http_success": "HTTP success rate above budget at every load level within the connection limit",
    "budget_ws_connect": "WebSocket connection established within budget",
    "budget_ws_round_trip": "MCP message round trip within budget",
    "budget_ws_success": "MCP success rate above budget at every concurrency level within the limit",
    "budget_embedding": "create_character (embedding generation) completes within budget",
}


class PerfBudgets(ProbeSettings):
    """The seed's budgets (defaults); `statistic` is what is compared with the latency budgets.
    Build from a params dict with `PerfBudgets.of(**budgets)` (bad values raise `ProbeConfigError`)."""

    health_response_s: PositiveSeconds = 2.0
    http_min_success_rate: Fraction = 0.8
    ws_connect_s: PositiveSeconds = 2.0
    ws_round_trip_s: PositiveSeconds = 5.0
    ws_min_success_rate: Fraction = 0.8
    success_max_connections: Count = 10
    embedding_s: PositiveSeconds = 15.0
    statistic: Statistic = "max"


SEED_BUDGETS = PerfBudgets()


@dataclass(frozen=True)
class BudgetOutcome:
    id: str
    title: str
    limit: str
    measured: float | None
    unit: str
    passed: bool
    detail: str
    client_bound: bool = False
    values: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        shown = "not measured" if self.measured is None else _fmt(self.measured, self.unit)
        return {
            "budget": self.id,
            "limit": self.limit,
            "measured": shown,
            "result": "PASS" if self.passed else "FAIL",
            "client_bound": self.client_bound,
            "detail": self.detail,
        }

    def measured_values(self) -> dict[str, Any]:
        return {
            "measured": self.measured,
            "unit": self.unit,
            "limit": self.limit,
            "client_bound": self.client_bound,
            **self.values,
        }


def _fmt(value: float, unit: str) -> str:
    return f"{value:.1%}" if unit == "fraction" else f"{value * 1e3:.2f} ms"


def _not_measured(check_id: str, limit: str, unit: str, why: str) -> BudgetOutcome:
    return BudgetOutcome(check_id, BUDGET_TITLES[check_id], limit, None, unit, False, f"not measured: {why}")


def latency_budget(
    check_id: str, limit_s: float, per_source: Mapping[str, float | None], *, statistic: str, bound: Iterable[str]
) -> BudgetOutcome:
    """Worst of the per-source latencies against `limit_s` (strictly below passes)."""
    limit = f"< {limit_s:g} s ({statistic})"
    measured = {name: value for name, value in per_source.items() if value is not None}
    if not per_source:
        return _not_measured(check_id, limit, "s", "nothing to measure was configured")
    if not measured:
        return _not_measured(check_id, limit, "s", f"no successful sample from {sorted(per_source)}")
    worst_name = max(measured, key=lambda name: measured[name])
    worst = measured[worst_name]
    bound_names = sorted(set(bound))
    detail = f"worst: {worst_name} {worst * 1e3:.2f} ms"
    missing = sorted(name for name, value in per_source.items() if value is None)
    if missing:
        detail += f"; no successful sample from {missing}"
    if bound_names:
        detail += f"; CLIENT-BOUND probe(s) {bound_names}: the figure includes probe overhead"
    return BudgetOutcome(
        check_id,
        BUDGET_TITLES[check_id],
        limit,
        worst,
        "s",
        worst < limit_s and not missing,
        detail,
        client_bound=bool(bound_names),
        values={"per_source_s": dict(per_source)},
    )


def success_budget(
    check_id: str, minimum: float, per_level: Mapping[str, float], *, bound: Iterable[str], max_connections: int
) -> BudgetOutcome:
    """Lowest success rate across the levels must be strictly above `minimum`."""
    limit = f"> {minimum:.0%} at ≤ {max_connections} connections"
    if not per_level:
        return _not_measured(check_id, limit, "fraction", f"no run with ≤ {max_connections} connections")
    worst_name = min(per_level, key=lambda name: per_level[name])
    worst = per_level[worst_name]
    bound_names = sorted(set(bound))
    detail = f"lowest: {worst_name} {worst:.1%}"
    if bound_names:
        detail += f"; CLIENT-BOUND run(s) {bound_names}"
    return BudgetOutcome(
        check_id,
        BUDGET_TITLES[check_id],
        limit,
        worst,
        "fraction",
        worst > minimum,
        detail,
        client_bound=bool(bound_names),
        values={"per_level": dict(per_level)},
    )


def evaluate_http_budgets(
    latency_results: Sequence[ProbeResult], load_results: Sequence[ProbeResult], budgets: PerfBudgets
) -> list[BudgetOutcome]:
    """Health-response budget from the latency (open-loop) probes, success budget from every run
    (latency probes and throughput runs) with at most `success_max_connections` connections."""
    per_target = {r.target: r.latency.stat(budgets.statistic) for r in latency_results}
    health = latency_budget(
        "budget_health_response",
        budgets.health_response_s,
        per_target,
        statistic=budgets.statistic,
        bound=[r.target for r in latency_results if r.client_bound],
    )
    runs = [r for r in load_results if r.concurrency <= budgets.success_max_connections]
    # The latency probe holds up to `connections` sockets but at a low rate far fewer are busy;
    # it counts toward the success budget either way (its failures are failures).
    runs += list(latency_results)
    per_level = {_run_label(r): r.success_rate for r in runs}
    success = success_budget(
        "budget_http_success",
        budgets.http_min_success_rate,
        per_level,
        bound=[_run_label(r) for r in runs if r.client_bound],
        max_connections=budgets.success_max_connections,
    )
    return [health, success]


def _run_label(result: ProbeResult) -> str:
    if result.kind == "latency":
        return f"{result.target} @ {result.rate_rps:g} req/s"
    return f"{result.target} x{result.concurrency}"


def evaluate_mcp_budgets(report: McpProbeReport | None, budgets: PerfBudgets) -> list[BudgetOutcome]:
    """WebSocket budgets from the MCP probe report (`workbook.mcp`); all fail if there is no report."""
    stat = budgets.statistic
    if report is None:
        return [
            _not_measured("budget_ws_connect", f"< {budgets.ws_connect_s:g} s", "s", "the MCP probe did not run"),
            _not_measured("budget_ws_round_trip", f"< {budgets.ws_round_trip_s:g} s", "s", "the MCP probe did not run"),
            _not_measured("budget_ws_success", f"> {budgets.ws_min_success_rate:.0%}", "fraction", "no MCP probe"),
            _not_measured("budget_embedding", f"< {budgets.embedding_s:g} s", "s", "the MCP probe did not run"),
        ]
    levels = list(report.concurrency)
    connect_sources: dict[str, float | None] = {"sequential connects": report.connect.stat(stat)}
    for level in levels:
        connect_sources[f"{level.connections} connections"] = level.connect.stat(stat)
    connect = latency_budget(
        "budget_ws_connect",
        budgets.ws_connect_s,
        connect_sources,
        statistic=stat,
        bound=[f"{lv.connections} connections" for lv in levels if lv.client_bound],
    )
    connect = _with_failures(connect, report.connect.failed, "connect attempts")
    rtt_sources = {f"tools/call {name}": summary.stat(stat) for name, summary in report.tool_calls.items()}
    for level in levels:
        rtt_sources[f"round trip at {level.connections} connections"] = level.round_trip.stat(stat)
    rtt = latency_budget(
        "budget_ws_round_trip",
        budgets.ws_round_trip_s,
        rtt_sources,
        statistic=stat,
        bound=[f"round trip at {lv.connections} connections" for lv in levels if lv.client_bound],
    )
    rtt = _with_failures(rtt, sum(s.failed for s in report.tool_calls.values()), "tool calls")
    within = [lv for lv in levels if lv.connections <= budgets.success_max_connections]
    success = success_budget(
        "budget_ws_success",
        budgets.ws_min_success_rate,
        {f"{lv.connections} connections": lv.success_rate for lv in within},
        bound=[f"{lv.connections} connections" for lv in within if lv.client_bound],
        max_connections=budgets.success_max_connections,
    )
    create = report.tool_calls.get("create_character")
    embedding = latency_budget(
        "budget_embedding",
        budgets.embedding_s,
        {"create_character": create.stat(stat) if create else None},
        statistic=stat,
        bound=[],
    )
    return [connect, rtt, success, embedding]


def _with_failures(outcome: BudgetOutcome, failed: int, what: str) -> BudgetOutcome:
    """Failed attempts have no latency; say so, so a fast-but-failing service is visible here too."""
    if not failed:
        return outcome
    values = {**outcome.values, "failed_attempts": failed}
    detail = f"{outcome.detail}; {failed} {what} failed (no latency sample; see the success budget)"
    return BudgetOutcome(
        outcome.id,
        outcome.title,
        outcome.limit,
        outcome.measured,
        outcome.unit,
        outcome.passed,
        detail,
        outcome.client_bound,
        values,
    )


def budget_table(outcomes: Sequence[BudgetOutcome]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([outcome.row() for outcome in outcomes])


def record_budget(check: CheckContext, outcome: BudgetOutcome) -> None:
    """One budget as one check: the measured value and limit attached, failing unless within."""
    check.measure(**outcome.measured_values())
    if outcome.measured is None:
        check.fail(outcome.detail)
    check.expect(outcome.passed, f"{outcome.row()['measured']} vs limit {outcome.limit}: {outcome.detail}")
    check.note(outcome.detail)
