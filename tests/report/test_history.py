"""History across synthetic bundles: newly failing / passing, flaky, a real regression vs noise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbook.checks import CheckSpec
from workbook.evidence import load_bundles
from workbook.report import build_history

NOISY = [10.2, 9.7, 10.4, 9.9, 10.1, 10.3]  # ms, a healthy run-to-run spread (sd ~0.26)


def test_newly_failing_newly_passing_and_flaky(make_bundle: Callable[..., Path], tmp_path: Path) -> None:
    series = {
        "steady": ["pass", "pass", "pass", "pass"],
        "broke": ["pass", "pass", "pass", "fail"],
        "fixed": ["fail", "fail", "fail", "pass"],
        "flaps": ["pass", "fail", "pass", "pass"],
        "new_and_failing": [None, None, None, "error"],
        "skipped_then_failing": ["pass", "skip", "skip", "fail"],
    }
    for index in range(4):
        checks = {cid: (states[index], {}) for cid, states in series.items() if states[index]}
        make_bundle(index, {"nb": checks})
    history = build_history(load_bundles(tmp_path / "outputs"))
    assert [c.check for c in history.newly_failing] == ["broke", "skipped_then_failing"]
    assert [c.check for c in history.newly_passing] == ["fixed"]
    assert [c.check for c in history.flaky] == ["flaps"]
    assert len(history.runs) == 4 and history.statuses[-1] == "failed"


def test_a_real_regression_is_flagged_and_noise_is_not(make_bundle: Callable[..., Path], tmp_path: Path) -> None:
    for index, value in enumerate(NOISY):
        make_bundle(index, {"nb": {"latency": ("pass", {"p99_ms": value, "stable_count": 4})}})
    within_noise = 10.6  # 1.9 sd above the earlier mean: the kind of wobble every run has
    make_bundle(6, {"nb": {"latency": ("pass", {"p99_ms": within_noise, "stable_count": 4})}})
    quiet = build_history(load_bundles(tmp_path / "outputs"))
    assert quiet.changes == []
    make_bundle(7, {"nb": {"latency": ("pass", {"p99_ms": 14.0, "stable_count": 3})}})
    history = build_history(load_bundles(tmp_path / "outputs"))
    changes = {change.name: change for change in history.changes}
    assert set(changes) == {"p99_ms", "stable_count"}
    assert changes["p99_ms"].sigmas is not None and changes["p99_ms"].sigmas > 10
    assert changes["stable_count"].sigmas is None  # earlier runs all said 4: any change is a change


def test_a_fixed_percentage_would_be_wrong_both_ways(make_bundle: Callable[..., Path], tmp_path: Path) -> None:
    """A +30 % move on a very noisy figure is noise; a +3 % move on a very steady one is not."""
    wild = [100.0, 60.0, 140.0, 80.0, 120.0]
    steady = [50.0, 50.1, 49.9, 50.0, 50.05]
    for index, (w, s) in enumerate(zip(wild, steady, strict=True)):
        make_bundle(index, {"nb": {"a": ("pass", {"wild": w, "steady": s})}})
    make_bundle(5, {"nb": {"a": ("pass", {"wild": 130.0, "steady": 51.5})}})
    names = {change.name for change in build_history(load_bundles(tmp_path / "outputs")).changes}
    assert names == {"steady"}


def test_too_little_history_is_explained(make_bundle: Callable[..., Path], tmp_path: Path) -> None:
    make_bundle(0, {"nb": {"a": ("pass", {"x": 1.0})}})
    first = build_history(load_bundles(tmp_path / "outputs"))
    assert "first run" in first.note and first.changes == []
    make_bundle(1, {"nb": {"a": ("pass", {"x": 9.0})}})
    second = build_history(load_bundles(tmp_path / "outputs"))
    assert "at least 5" in second.note and second.changes == []


def test_only_the_same_profile_and_the_last_n_are_compared(make_bundle: Callable[..., Path], tmp_path: Path) -> None:
    for index in range(6):
        make_bundle(index, {"nb": {"a": ("pass" if index % 2 else "fail", {})}})
    make_bundle(6, {"nb": {"a": ("fail", {})}}, profile="other")
    history = build_history(load_bundles(tmp_path / "outputs"), profile="nightly", last=3)
    assert len(history.runs) == 3 and all(run.endswith("_nightly") for run in history.runs)


def test_key_figures_are_trended(make_bundle: Callable[..., Path], tmp_path: Path) -> None:
    specs = {"latency": CheckSpec(title="latency", figures=("p99_ms", "per_target"))}
    for index, value in enumerate([10.0, 11.0, 12.0]):
        measured: dict[str, Any] = {"p99_ms": value, "per_target": {"a": value, "b": 2 * value}, "other": 1}
        make_bundle(index, {"nb": {"latency": ("pass", measured)}}, specs=specs)
    trends = {trend.name: trend for trend in build_history(load_bundles(tmp_path / "outputs")).trends}
    assert set(trends) == {"p99_ms", "per_target.a", "per_target.b"}
    assert [value for _, value in trends["per_target.b"].points] == [20.0, 22.0, 24.0]
