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
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

from ._errors import ProbeConfigError
from ._histogram import LatencyStats
from ._result import ProbeResult

if TYPE_CHECKING:
    import pandas as pd

    from ..checks import Checks
    from ..mcp import McpProbeReport

Statistic = Literal["max", "p99", "p90", "p50", "mean"]
STATISTICS: tuple[str, ...] = ("max", "p99", "p90", "p50", "mean")

BUDGET_CHECKS: dict[str, str] = {
    "budget_health_response": "HTTP health endpoints respond within budget (latency from scheduled send)",
    "budget_http_success": "HTTP success rate above budget at every load level within the connection limit",
    "budget_ws_connect": "WebSocket connection established within budget",
    "budget_ws_round_trip": "MCP message round trip within budget",
    "budget_ws_success": "MCP success rate above budget at every concurrency level within the limit",
    "budget_embedding": "create_character (embedding generation) completes within budget",
}
SELF_CHECK_ID = "probe_self_check"
# A client delay this share of the latency budget or more could change a verdict.
MATERIAL_FRACTION = 0.1
# Every check the perf notebook records: one per budget plus the probes' own trustworthiness.
PERF_CHECKS: dict[str, str] = {
    **BUDGET_CHECKS,
    SELF_CHECK_ID: "the probes' own delays (client-bound episodes) are too small to change a budget verdict",
}


@dataclass(frozen=True)
class PerfBudgets:
    health_response_s: float = 2.0
    http_min_success_rate: float = 0.8
    ws_connect_s: float = 2.0
    ws_round_trip_s: float = 5.0
    ws_min_success_rate: float = 0.8
    success_max_connections: int = 10
    embedding_s: float = 15.0
    statistic: Statistic = "max"

    def __post_init__(self) -> None:
        for name in ("health_response_s", "ws_connect_s", "ws_round_trip_s", "embedding_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ProbeConfigError(f"budget {name}", value, "a positive number of seconds")
        for name in ("http_min_success_rate", "ws_min_success_rate"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ProbeConfigError(f"budget {name}", value, "a fraction between 0 and 1 (0.8 = 80 %)")
        limit = self.success_max_connections
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ProbeConfigError("budget success_max_connections", limit, "a positive integer")
        if self.statistic not in STATISTICS:
            raise ProbeConfigError("budget statistic", self.statistic, f"one of {STATISTICS}")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> PerfBudgets:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ProbeConfigError("budget keys", unknown, f"only {sorted(known)}")
        return cls(**dict(values))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def _stat(stats: LatencyStats, statistic: str) -> float | None:
    name = {"max": "max_s", "p99": "p99_s", "p90": "p90_s", "p50": "p50_s", "mean": "mean_s"}[statistic]
    value: float | None = getattr(stats, name)
    return value


def _not_measured(check_id: str, limit: str, unit: str, why: str) -> BudgetOutcome:
    return BudgetOutcome(check_id, BUDGET_CHECKS[check_id], limit, None, unit, False, f"not measured: {why}")


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
        BUDGET_CHECKS[check_id],
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
        BUDGET_CHECKS[check_id],
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
    per_target = {r.target: _stat(r.latency, budgets.statistic) for r in latency_results}
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
    stat: Any = budgets.statistic
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


def record_budget_checks(checks: Checks, outcomes: Sequence[BudgetOutcome]) -> None:
    """One check per budget, with the measured value and limit attached."""
    for outcome in outcomes:
        with checks.run(outcome.id) as check:
            check.measure(**outcome.measured_values())
            if outcome.measured is None:
                check.fail(outcome.detail)
            check.expect(outcome.passed, f"{outcome.row()['measured']} vs limit {outcome.limit}: {outcome.detail}")
            check.note(outcome.detail)


def record_self_check(
    checks: Checks,
    latency_results: Sequence[ProbeResult],
    load_results: Sequence[ProbeResult],
    budgets: PerfBudgets = SEED_BUDGETS,
) -> None:
    """Fails when a latency probe was client-bound by enough to matter: its own delays (event-loop
    or scheduler lag at p99) reach `MATERIAL_FRACTION` of the latency budget, so they could flip
    a verdict. Smaller client-bound episodes (a busy shared machine) are listed, not failed.
    Client-bound throughput runs are listed too: their req/s is the probe's ceiling, a lower
    bound for the target, expected against fast targets."""
    material_s = MATERIAL_FRACTION * budgets.health_response_s
    with checks.run(SELF_CHECK_ID) as check:
        lags = {_run_label(r): _client_delay_s(r) for r in latency_results}
        check.measure(
            latency_client_bound={_run_label(r): r.client_bound for r in latency_results},
            latency_client_delay_p99_s=lags,
            material_delay_s=material_s,
            throughput_client_bound={_run_label(r): r.client_bound for r in load_results},
            reasons={
                _run_label(r): list(r.selfcheck.reasons) for r in [*latency_results, *load_results] if r.client_bound
            },
        )
        if not latency_results:
            check.skip("no latency probe ran (no HTTP target configured)")
        for result in latency_results:
            label = _run_label(result)
            if not result.client_bound:
                continue
            check.expect(
                lags[label] < material_s,
                f"{label} was CLIENT-BOUND with {lags[label] * 1e3:.1f} ms of its own delay at p99 "
                f"(≥ {material_s * 1e3:.0f} ms can change a verdict): {'; '.join(result.selfcheck.reasons)}",
            )
            check.note(
                f"{label} marked CLIENT-BOUND, its own delay p99 {lags[label] * 1e3:.1f} ms is below "
                f"{material_s * 1e3:.0f} ms and cannot change the budget verdicts"
            )
        bound = [_run_label(r) for r in load_results if r.client_bound]
        if bound:
            check.note(f"throughput runs at the probe's own ceiling (client-bound): {bound}")


def _client_delay_s(result: ProbeResult) -> float:
    """The larger of the probe's loop lag and scheduler lag at p99: what it may have added."""
    timer = result.selfcheck.timer_lag
    return max(result.selfcheck.loop_lag.p99_s or 0.0, (timer.p99_s or 0.0) if timer else 0.0)
