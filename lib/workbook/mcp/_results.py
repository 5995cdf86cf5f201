"""Result models of the MCP probe stages: small frozen dataclasses with `to_dict()`.

All durations are seconds (float). Success rates are fractions in [0, 1]. Errors are counted by
kind with the labels of `_errors.error_kind` ("timeout", "connection_closed", "rpc_error:-32603",
"tool_error", "connect_failed", ...). Nothing here judges a budget: `workbook.probes` does.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..timing import LatencyStats, SelfCheck, Statistic

if TYPE_CHECKING:
    import pandas as pd

SHOWN_PERCENTILES: tuple[Statistic, ...] = ("p50", "p90", "p99")


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
        counts = dict(Counter(errors))
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

    @property
    def stats(self) -> LatencyStats:
        """Exact statistics of the successful samples (nearest-rank percentiles)."""
        return LatencyStats.from_samples(self.samples_s)

    def stat(self, name: Statistic) -> float | None:
        """A statistic of the successful samples; None without samples."""
        return self.stats.stat(name)

    def row(self) -> dict[str, Any]:
        stats = self.stats
        return {
            "operation": self.operation,
            "attempted": self.attempted,
            "succeeded": self.succeeded,
            "success_rate": self.success_rate,
            "min_s": stats.min_s,
            "mean_s": stats.mean_s,
            **{f"{label}_s": stats.stat(label) for label in SHOWN_PERCENTILES},
            "max_s": stats.max_s,
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
    of a connection that never opened count as failed. `selfcheck` is the probe watching its own
    event loop during the level (`workbook.timing`): it says whether the figures describe the
    target or the probe's own limit.
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
    selfcheck: SelfCheck | None = None

    @property
    def client_bound(self) -> bool:
        """The probe itself was the bottleneck: latencies include its own queueing."""
        return self.selfcheck is not None and self.selfcheck.client_bound

    @property
    def client_bound_reasons(self) -> tuple[str, ...]:
        return self.selfcheck.reasons if self.selfcheck is not None else ()

    @property
    def success_rate(self) -> float:
        return self.calls_succeeded / self.calls_planned if self.calls_planned else 0.0

    @property
    def calls_per_s(self) -> float:
        return self.calls_succeeded / self.wall_s if self.wall_s > 0 else math.nan

    def row(self) -> dict[str, Any]:
        check = self.selfcheck
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
            "client_cpu_fraction": check.cpu_fraction if check else None,
            "loop_lag_p99_s": check.loop_lag.p99_s if check else None,
            "loop_lag_samples": check.loop_lag.count if check else 0,
            "client_bound": self.client_bound,
            "client_bound_reasons": "; ".join(self.client_bound_reasons),
            "not_judged": "; ".join(check.notes) if check else "",
            "errors": dict(self.errors),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.row(),
            "connect": self.connect.to_dict(),
            "round_trip": self.round_trip.to_dict(),
            "selfcheck": self.selfcheck.to_dict() if self.selfcheck else None,
        }


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

    def problems(self) -> list[str]:
        """Why this run does not show a client recovering from drops (empty when it does): every
        reconnect must succeed, and every call not lost to a drop itself must succeed."""
        if not self.exercised:
            return [f"the server never dropped a connection during {self.calls_planned} calls: not tested"]
        problems = []
        if self.reconnects_failed:
            problems.append(f"{self.reconnects_failed} reconnect attempt(s) failed: {dict(self.reconnect.errors)}")
        lost = self.calls_planned - self.calls_succeeded - self.drops
        if lost > 0:
            others = {kind: n for kind, n in self.errors.items() if kind != "connection_closed"}
            problems.append(f"{lost} call(s) failed besides the {self.drops} lost to drops: {others}")
        return problems

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if k != "reconnect"},
            "messages_before_drop": list(self.messages_before_drop),
            "exercised": self.exercised,
            "success_rate": self.success_rate,
            "reconnect": self.reconnect.to_dict(),
        }


Outcome = Literal["error_reply", "result", "tool_error", "no_reply", "connection_closed", "not_run", "dialect"]


@dataclass(frozen=True)
class ErrorCaseResult:
    """How the server treated one bad message.

    `accepted` says the behaviour is one a correct MCP server may show (e.g. for malformed JSON a
    -32700 reply or no reply at all); `spec_exact` says it is exactly what JSON-RPC 2.0 / MCP
    prescribes. `usable_after` says the same connection still answered afterwards, to what
    `liveness` names (MCP: a `ping`; tool-json: `{}`); empty `liveness` means nothing was sent.
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
    # Messages from the server that carried a `method` (log notifications, server requests such as
    # ping) while waiting for the answer: never taken as the answer, recorded here.
    server_messages: tuple[str, ...] = ()
    liveness: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "server_messages": list(self.server_messages)}


@dataclass(frozen=True)
class FunctionalResult:
    """One functional check of the brain service: every problem found, or what passed (`summary`).

    `could_not_check` is set when the check could not exercise the platform at all (`{"reason":
    "dialect" | "unreachable", "message", "evidence"}`): then it is neither passed nor failed."""

    check: str
    problems: tuple[str, ...]
    summary: str
    data: Mapping[str, Any] = field(default_factory=dict)
    could_not_check: Mapping[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return not self.problems and self.could_not_check is None

    @property
    def detail(self) -> str:
        if self.could_not_check is not None:
            return f"could not check ({self.could_not_check['reason']}): {self.could_not_check['message']}"
        return "; ".join(self.problems) or self.summary

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "problems": list(self.problems), "passed": self.passed}


def functional_frame(results: Sequence[FunctionalResult]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{"check": r.check, "passed": r.passed, "detail": r.detail} for r in results])
