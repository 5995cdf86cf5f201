"""Synthetic MCP probe reports (no network), for the report models and the budget verdict."""

from __future__ import annotations

from workbook.mcp import ConcurrencyLevel, McpProbeReport
from workbook.mcp._results import HandshakeResult, LatencySummary, ToolsListResult
from workbook.timing import ClientBoundThresholds, LatencyStats, SelfCheck, judge_client_bound

LIMITS = ClientBoundThresholds()


def selfcheck(cpu_fraction: float, lag_s: float | None, lag_samples: int = 200) -> SelfCheck:
    lag = LatencyStats.from_samples([lag_s] * lag_samples if lag_s is not None else [])
    reasons = judge_client_bound(
        cpu_fraction=cpu_fraction,
        loop_lag_p99_s=lag.p99_s,
        timer_lag_p99_s=None,
        thresholds=LIMITS,
        loop_lag_samples=lag.count,
    )
    return SelfCheck(1.0, cpu_fraction, cpu_fraction, cpu_fraction, lag, None, bool(reasons), reasons)


def level(
    connections: int, succeeded: int, *, cpu: float = 0.1, lag_s: float | None = 0.001, lag_samples: int = 200
) -> ConcurrencyLevel:
    planned = connections * 5
    return ConcurrencyLevel(
        connections=connections,
        connections_opened=connections,
        calls_planned=planned,
        calls_succeeded=succeeded,
        connect=LatencySummary.build("connect", [0.01] * connections),
        round_trip=LatencySummary.build("rtt", [0.02] * succeeded, ["timeout"] * (planned - succeeded)),
        errors={"timeout": planned - succeeded} if planned > succeeded else {},
        wall_s=1.0,
        hit_deadline=False,
        selfcheck=selfcheck(cpu, lag_s, lag_samples),
    )


def report(levels: tuple[ConcurrencyLevel, ...] = (), rtt: tuple[float, ...] = (0.3, 0.4)) -> McpProbeReport:
    return McpProbeReport(
        ws_url="ws://127.0.0.1:1/mcp",
        started_at="2026-11-21T00:00:00+00:00",
        duration_s=1.0,
        settings={},
        connect=LatencySummary.build("connect", [0.1, 0.2, 1.5]),
        handshake=HandshakeResult(True, "2025-11-25", "2025-11-25", latency_s=0.01),
        tools=ToolsListResult(True, latency_s=0.01),
        tool_calls={"create_character": LatencySummary.build("create_character", rtt, ["timeout"])},
        concurrency=levels,
    )
