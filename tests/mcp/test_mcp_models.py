"""Report models without a network: statistics, the client-bound flag, frames and JSON.

The budgets are judged in one place (`workbook.probes.evaluate_mcp_budgets`, tests/probes)."""

from __future__ import annotations

import json

import pytest

from probes.mcp_reports import level, report
from workbook import mcp
from workbook.mcp._results import LatencySummary


def test_latency_summary_counts_errors_by_kind_and_uses_observed_values() -> None:
    summary = LatencySummary.build("op", [0.3, 0.1, 0.2, 0.4], ["timeout", "timeout", "rpc_error:-32603"])
    assert (summary.attempted, summary.succeeded, summary.failed) == (7, 4, 3)
    assert summary.success_rate == pytest.approx(4 / 7)
    assert summary.errors == {"timeout": 2, "rpc_error:-32603": 1}
    assert summary.stat("p50") == 0.2 and summary.stat("p99") == 0.4 and summary.stat("max") == 0.4
    assert summary.stat("mean") == pytest.approx(0.25)
    empty = LatencySummary.build("none", [], ["timeout"])
    assert empty.stat("p50") is None and empty.success_rate == 0.0
    assert LatencySummary.build("never", []).success_rate is None


def test_client_bound_levels_are_flagged_with_reasons() -> None:
    busy, lagging, calm = level(10, 50, cpu=0.95), level(10, 50, lag_s=0.02), level(10, 50, cpu=0.2)
    assert busy.client_bound and "95% of a core" in busy.client_bound_reasons[0]
    assert lagging.client_bound and "event-loop lag p99 20.00 ms" in lagging.client_bound_reasons[0]
    assert not calm.client_bound and level(1, 5, lag_s=None).client_bound_reasons == ()
    assert busy.row()["client_bound"] is True


def test_a_level_too_short_for_its_lag_figure_is_not_called_client_bound() -> None:
    # Issue 16: a p99 over ~37 loop-lag samples is the worst of a handful of wake-ups.
    short = level(20, 100, lag_s=0.02, lag_samples=37)
    assert not short.client_bound
    assert short.row()["loop_lag_samples"] == 37


def test_frames_and_json_form() -> None:
    full = report((level(1, 5),))
    assert list(full.latency_frame()["operation"]) == ["connect", "initialize", "tools/list", "create_character"]
    assert full.concurrency_frame().loc[0, "success_rate"] == 1.0
    document = json.loads(json.dumps(full.to_dict()))
    assert document["connect"]["samples_s"] == [0.1, 0.2, 1.5]
    assert document["concurrency"][0]["client_bound"] is False
    assert document["concurrency"][0]["selfcheck"]["loop_lag"]["count"] == 200


def test_the_report_measures_and_does_not_judge() -> None:
    # One verdict, in workbook.probes: the report offers no budget evaluation of its own.
    assert not hasattr(report(), "evaluate") and not hasattr(report(), "budget_frame")
    assert not hasattr(mcp, "McpBudgets")
