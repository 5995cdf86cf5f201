"""Timing primitives shared by the HTTP probes (`workbook.probes`) and the MCP probe (`workbook.mcp`).

Owns: the units probe settings are written in (seconds, counts, fractions); latency statistics
(from HDR histograms or raw samples, one vocabulary of statistics); the event-loop lag monitor;
the CPU meter; and the client-bound thresholds and verdict, the one rule that says when a probe's
own limits, not the target, shaped its figures (including when a window is too short to judge).
Neither probe package imports the other's private modules; both build on this one.
"""

from ._histogram import (
    STATISTICS,
    LatencyStats,
    Statistic,
    histogram_bins,
    nearest_rank,
    new_histogram,
    record_seconds,
)
from ._selfcheck import (
    ClientBoundThresholds,
    CpuMeter,
    LoopLagMonitor,
    SelfCheck,
    SelfMonitor,
    judge_client_bound,
    unjudged_lags,
)
from ._units import Count, Fraction, NonNegativeSeconds, OptionalCount, PositiveSeconds

__all__ = [
    "STATISTICS",
    "ClientBoundThresholds",
    "Count",
    "CpuMeter",
    "Fraction",
    "LatencyStats",
    "LoopLagMonitor",
    "NonNegativeSeconds",
    "OptionalCount",
    "PositiveSeconds",
    "SelfCheck",
    "SelfMonitor",
    "Statistic",
    "histogram_bins",
    "judge_client_bound",
    "nearest_rank",
    "new_histogram",
    "record_seconds",
    "unjudged_lags",
]
