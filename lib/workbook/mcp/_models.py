"""Result models of the MCP probe: small frozen dataclasses with `to_dict()` and DataFrame views.

All durations are seconds (float). Success rates are fractions in [0, 1]. Errors are counted by
kind with the labels of `_errors.error_kind` ("timeout", "connection_closed", "rpc_error:-32603",
"tool_error", "connect_failed", ...).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

Statistic = Literal["max", "p99", "p90", "p50", "mean"]
PERCENTILES: tuple[tuple[str, float], ...] = (("p50", 50.0), ("p90", 90.0), ("p99", 99.0))
# Same limits as the HTTP probe engine (workbook.probes): above either, the probe was the bottleneck.
CLIENT_BOUND_CPU_FRACTION = 0.85
CLIENT_BOUND_LOOP_LAG_S = 0.005


@dataclass(frozen=True)
class LatencySummary:
    """Latency of one operation: raw samples of the successful attempts plus failure counts."""

    operation: str
    attempted: int
    samples_s: tuple[float, ...] = ()
    errors: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, operation: str, samples_s: Iterable[float], errors: Iterable[str] = ()) -> LatencySummary:
        samples = tuple(float(s) for s in samples_s)
        counts: dict[str, int] = {}
        for kind in errors:
            counts[kind] = counts.get(kind, 0) + 1
        return cls(operation, len(samples) + sum(counts.values()), samples, counts)

    @property
    def succeeded(self) -> int:
        return len(self.samples_s)

    @property
    def failed(self) -> int:
        return self.attempted - self.succeeded

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.attempted if self.attempted else None

    def stat(self, name: Statistic) -> float | None:
        """A statistic of the successful samples (None without samples); percentiles are nearest-rank."""
        if not self.samples_s:
            return None
        values = np.asarray(self.samples_s)
        if name == "max":
            return float(values.max())
        if name == "mean":
            return float(values.mean())
        q = float(name[1:])
        # Nearest rank: always a value that was observed, never an interpolation below it.
        return float(np.percentile(values, q, method="inverted_cdf"))

    def row(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "attempted": self.attempted,
            "succeeded": self.succeeded,
            "success_rate": self.success_rate,
            "min_s": float(min(self.samples_s)) if self.samples_s else None,
            "mean_s": self.stat("mean"),
            **{f"{label}_s": self.stat(label) for label, _ in PERCENTILES},  # type: ignore[arg-type]
            "max_s": self.stat("max"),
            "errors": dict(self.errors),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.row(), "samples_s": list(self.samples_s)}


@dataclass(frozen=True)
class HandshakeResult:
    """`initialize` + `notifications/initialized`."""

    ok: bool
    requested_version: str
    negotiated_version: str | None = None
    server_info: Mapping[str, Any] = field(default_factory=dict)
    capabilities: Mapping[str, Any] = field(default_factory=dict)
    latency_s: float | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ToolInfo:
    name: str
    description: str = ""
    input_schema: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolsListResult:
    """`tools/list`. `embedding` is the embedding label the server advertises, if it does."""

    ok: bool
    tools: tuple[ToolInfo, ...] = ()
    latency_s: float | None = None
    error: str | None = None
    embedding: Mapping[str, Any] | None = None

    @property
    def names(self) -> list[str]:
        return [tool.name for tool in self.tools]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ConcurrencyLevel:
    """One step of the sweep: `connections` connections open at once, each doing a handshake and
    `calls_per_connection` sequential `tools/call` round trips.

    `success_rate` = calls that got a non-error result in time / calls planned; the planned calls
    of a connection that never opened count as failed.
    """

    connections: int
    connections_opened: int
    calls_planned: int
    calls_succeeded: int
    connect: LatencySummary
    round_trip: LatencySummary
    errors: Mapping[str, int]
    wall_s: float
    hit_deadline: bool
    # CPU seconds the probe's event-loop thread used during the level, and the p99 delay of a 5 ms
    # ticker on that loop: they tell whether the figures describe the target or the probe's limit.
    client_cpu_s: float = 0.0
    loop_lag_p99_s: float | None = None

    @property
    def client_cpu_fraction(self) -> float:
        """Probe thread CPU time / wall time: 1.0 = one core fully busy (a Python loop's ceiling)."""
        return self.client_cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def client_bound_reasons(self) -> tuple[str, ...]:
        reasons = []
        if self.client_cpu_fraction >= CLIENT_BOUND_CPU_FRACTION:
            reasons.append(f"probe thread used {self.client_cpu_fraction:.0%} of a core")
        if self.loop_lag_p99_s is not None and self.loop_lag_p99_s > CLIENT_BOUND_LOOP_LAG_S:
            reasons.append(f"probe event-loop lag p99 {self.loop_lag_p99_s * 1e3:.1f} ms")
        return tuple(reasons)

    @property
    def client_bound(self) -> bool:
        """The probe itself was the bottleneck: latencies include its own queueing."""
        return bool(self.client_bound_reasons)

    @property
    def success_rate(self) -> float:
        return self.calls_succeeded / self.calls_planned if self.calls_planned else 0.0

    @property
    def calls_per_s(self) -> float:
        return self.calls_succeeded / self.wall_s if self.wall_s > 0 else math.nan

    def row(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "connections_opened": self.connections_opened,
            "calls_planned": self.calls_planned,
            "calls_succeeded": self.calls_succeeded,
            "success_rate": self.success_rate,
            "calls_per_s": self.calls_per_s,
            "connect_p50_s": self.connect.stat("p50"),
            "connect_max_s": self.connect.stat("max"),
            "rtt_p50_s": self.round_trip.stat("p50"),
            "rtt_p99_s": self.round_trip.stat("p99"),
            "rtt_max_s": self.round_trip.stat("max"),
            "wall_s": self.wall_s,
            "hit_deadline": self.hit_deadline,
            "client_cpu_fraction": self.client_cpu_fraction,
            "loop_lag_p99_s": self.loop_lag_p99_s,
            "client_bound": self.client_bound,
            "client_bound_reasons": "; ".join(self.client_bound_reasons),
            "errors": dict(self.errors),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.row(), "connect": self.connect.to_dict(), "round_trip": self.round_trip.to_dict()}


@dataclass(frozen=True)
class ReconnectResult:
    """A sequence of calls that reconnects (and re-handshakes) whenever the server drops the connection.

    `exercised` is False when the server never dropped a connection: reconnecting was then not tested.
    """

    calls_planned: int
    calls_succeeded: int
    drops: int
    reconnects_ok: int
    reconnects_failed: int
    messages_before_drop: tuple[int, ...]
    reconnect: LatencySummary
    errors: Mapping[str, int]
    wall_s: float

    @property
    def exercised(self) -> bool:
        return self.drops > 0

    @property
    def success_rate(self) -> float:
        return self.calls_succeeded / self.calls_planned if self.calls_planned else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if k != "reconnect"},
            "messages_before_drop": list(self.messages_before_drop),
            "exercised": self.exercised,
            "success_rate": self.success_rate,
            "reconnect": self.reconnect.to_dict(),
        }


Outcome = Literal["error_reply", "result", "tool_error", "no_reply", "connection_closed", "not_run"]


@dataclass(frozen=True)
class ErrorCaseResult:
    """How the server treated one bad message.

    `accepted` says the behaviour is one a correct MCP server may show (e.g. for malformed JSON a
    -32700 reply or no reply at all); `spec_exact` says it is exactly what JSON-RPC 2.0 / MCP
    prescribes. `usable_after` says the same connection still answered a `ping` afterwards.
    """

    case: str
    sent: str
    outcome: Outcome
    accepted: bool
    spec_exact: bool
    usable_after: bool
    code: int | None = None
    message: str | None = None
    latency_s: float | None = None
    expected: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class McpBudgets:
    """The seed's budgets. `statistic` is what is compared with the latency budgets."""

    connect_s: float = 2.0
    round_trip_s: float = 5.0
    min_success_rate: float = 0.8
    success_max_connections: int = 10
    statistic: Statistic = "max"


@dataclass(frozen=True)
class BudgetResult:
    budget: str
    limit: str
    measured: str
    passed: bool
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class McpProbeReport:
    """Everything one `probe_mcp` run measured against one WebSocket URL."""

    ws_url: str
    started_at: str
    duration_s: float
    settings: Mapping[str, Any]
    connect: LatencySummary
    handshake: HandshakeResult
    tools: ToolsListResult
    tool_calls: Mapping[str, LatencySummary]
    concurrency: tuple[ConcurrencyLevel, ...] = ()
    reconnect: ReconnectResult | None = None
    error_cases: tuple[ErrorCaseResult, ...] = ()
    # One handshake per handshake-era protocol version asked for (a fresh connection each).
    handshake_versions: tuple[HandshakeResult, ...] = ()

    def latency_frame(self) -> pd.DataFrame:
        """One row per operation: connect, handshake, tools/list and each tool's round trip."""
        rows = [self.connect.row()]
        for label, ok, latency, error in (
            ("initialize", self.handshake.ok, self.handshake.latency_s, self.handshake.error),
            ("tools/list", self.tools.ok, self.tools.latency_s, self.tools.error),
        ):
            summary = LatencySummary.build(
                label, [latency] if ok and latency is not None else [], [] if ok else [error or "failed"]
            )
            rows.append(summary.row())
        rows.extend(summary.row() for summary in self.tool_calls.values())
        return pd.DataFrame(rows)

    def concurrency_frame(self) -> pd.DataFrame:
        return pd.DataFrame([level.row() for level in self.concurrency])

    def error_cases_frame(self) -> pd.DataFrame:
        return pd.DataFrame([case.to_dict() for case in self.error_cases])

    def versions_frame(self) -> pd.DataFrame:
        """Requested vs negotiated protocol version, one row per version tried."""
        return pd.DataFrame(
            [
                {
                    "requested": h.requested_version,
                    "negotiated": h.negotiated_version,
                    "ok": h.ok,
                    "latency_s": h.latency_s,
                    "error": h.error,
                }
                for h in self.handshake_versions
            ],
            columns=["requested", "negotiated", "ok", "latency_s", "error"],
        )

    def evaluate(self, budgets: McpBudgets | None = None) -> tuple[BudgetResult, ...]:
        """Compare the report with the budgets. A budget with nothing measured fails (never passes empty)."""
        budgets = budgets or McpBudgets()
        stat = budgets.statistic
        results: list[BudgetResult] = []

        connect_samples = list(self.connect.samples_s)
        for level in self.concurrency:
            connect_samples.extend(level.connect.samples_s)
        connect = LatencySummary.build("connect", connect_samples)
        results.append(_latency_budget("websocket connect", connect, budgets.connect_s, stat, self.connect.failed))

        rtt_samples = [s for summary in self.tool_calls.values() for s in summary.samples_s]
        rtt_failed = sum(summary.failed for summary in self.tool_calls.values())
        results.append(
            _latency_budget(
                "message round trip",
                LatencySummary.build("rtt", rtt_samples),
                budgets.round_trip_s,
                stat,
                rtt_failed,
            )
        )

        levels = [lv for lv in self.concurrency if lv.connections <= budgets.success_max_connections]
        if not levels:
            results.append(
                BudgetResult(
                    f"success rate (<= {budgets.success_max_connections} connections)",
                    f"> {budgets.min_success_rate:.0%}",
                    "not measured",
                    False,
                    "no concurrency level at or below the limit was run",
                )
            )
        for level in levels:
            rate = level.success_rate
            detail = _errors_text(level.errors)
            if level.client_bound:
                detail = f"CLIENT-BOUND ({', '.join(level.client_bound_reasons)}); {detail}"
            results.append(
                BudgetResult(
                    f"success rate at {level.connections} connections",
                    f"> {budgets.min_success_rate:.0%}",
                    f"{rate:.1%} ({level.calls_succeeded}/{level.calls_planned})",
                    rate > budgets.min_success_rate,
                    detail.strip("; "),
                )
            )
        return tuple(results)

    def budget_frame(self, budgets: McpBudgets | None = None) -> pd.DataFrame:
        return pd.DataFrame([result.to_dict() for result in self.evaluate(budgets)])

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (raw samples included) for results.json / evidence files."""
        return {
            "ws_url": self.ws_url,
            "started_at": self.started_at,
            "duration_s": self.duration_s,
            "settings": dict(self.settings),
            "connect": self.connect.to_dict(),
            "handshake": self.handshake.to_dict(),
            "tools": self.tools.to_dict(),
            "tool_calls": {name: summary.to_dict() for name, summary in self.tool_calls.items()},
            "concurrency": [level.to_dict() for level in self.concurrency],
            "reconnect": self.reconnect.to_dict() if self.reconnect else None,
            "error_cases": [case.to_dict() for case in self.error_cases],
            "handshake_versions": [h.to_dict() for h in self.handshake_versions],
        }


@dataclass(frozen=True)
class FunctionalResult:
    """One functional check of the brain service (create, find, isolation)."""

    check: str
    passed: bool
    detail: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def functional_frame(results: Sequence[FunctionalResult]) -> pd.DataFrame:
    return pd.DataFrame([{"check": r.check, "passed": r.passed, "detail": r.detail} for r in results])


def _errors_text(errors: Mapping[str, int]) -> str:
    return ", ".join(f"{kind}: {count}" for kind, count in sorted(errors.items()))


def _latency_budget(name: str, summary: LatencySummary, limit_s: float, stat: Statistic, failed: int) -> BudgetResult:
    value = summary.stat(stat)
    if value is None:
        return BudgetResult(name, f"< {limit_s:g} s", "not measured", False, "no successful sample")
    detail = f"{stat} of {summary.succeeded} samples"
    if failed:
        detail += f"; {failed} attempts failed and are not in the latency figure"
    return BudgetResult(name, f"< {limit_s:g} s", f"{value * 1000:.2f} ms", value < limit_s, detail)
