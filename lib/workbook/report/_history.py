"""History: the same checks across the last N bundles of one profile.

Newly failing, newly passing and flaky checks come from the status series of each check, judged
on pass and fail only: an `error` (shown as `error/<reason>`) never exercised the platform, so it
is neither a regression nor a recovery — checks that newly could not be checked are listed apart. Numeric
measured values are compared with the spread of the earlier runs (not a fixed percentage): the
latest value is a change beyond the noise when it lies more than `NOISE_SIGMAS` standard
deviations from the earlier runs' mean (with a floor so identical earlier values do not make any
rounding a "regression"). Everything comes from the bundles themselves, so bundles copied from
other machines or read from an S3 archive work the same.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from pydantic import BaseModel, Field

from ..checks import CheckResult, CheckStatus
from ..evidence import LoadedBundle
from ._figures import key_figures, numeric_values

NOISE_SIGMAS = 3.0
MIN_EARLIER_RUNS = 5
# Changes smaller than this fraction of the mean are never flagged, even with no spread at all.
RELATIVE_FLOOR = 1e-6


class CheckHistory(BaseModel):
    notebook: str
    check: str
    title: str
    statuses: list[str | None]  # one per bundle, oldest first; None: the check did not exist then


class ValueChange(BaseModel):
    notebook: str
    check: str
    name: str
    latest: float
    earlier_mean: float
    earlier_stdev: float
    earlier_runs: int
    sigmas: float | None  # None when the earlier runs had no spread


class Trend(BaseModel):
    notebook: str
    check: str
    name: str
    points: list[tuple[str, float]]  # (run id, value), oldest first


class History(BaseModel):
    profile: str
    runs: list[str]  # run ids, oldest first; the last is the run being reported
    statuses: list[str]
    newly_failing: list[CheckHistory] = Field(default_factory=list)
    newly_passing: list[CheckHistory] = Field(default_factory=list)
    flaky: list[CheckHistory] = Field(default_factory=list)
    # Judged in an earlier run (pass or fail), could not be checked in the newest one.
    newly_unchecked: list[CheckHistory] = Field(default_factory=list)
    changes: list[ValueChange] = Field(default_factory=list)
    trends: list[Trend] = Field(default_factory=list)
    note: str = ""

    def lines(self) -> list[str]:
        """The history as console lines (`python -m workbook history`)."""
        lines = [f"profile {self.profile}: {len(self.runs)} run(s), oldest first"]
        lines += [
            f"  {index + 1}. {run}  {status}"
            for index, (run, status) in enumerate(zip(self.runs, self.statuses, strict=True))
        ]
        if self.note:
            lines.append(f"note: {self.note}")
        for title, items in (
            ("newly failing", self.newly_failing),
            ("newly passing", self.newly_passing),
            ("flaky", self.flaky),
            ("newly could not check", self.newly_unchecked),
        ):
            lines.append(f"{title}: {len(items)}")
            lines += [f"  {item.notebook}/{item.check}: {' -> '.join(str(s) for s in item.statuses)}" for item in items]
        lines.append(f"values beyond the run-to-run noise: {len(self.changes)}")
        for change in self.changes:
            spread = f"{change.sigmas} sd" if change.sigmas is not None else "earlier runs had no spread"
            lines.append(
                f"  {change.notebook}/{change.check} {change.name}: {change.latest:.4g} vs "
                f"{change.earlier_mean:.4g} ± {change.earlier_stdev:.3g} over {change.earlier_runs} runs ({spread})"
            )
        return lines


def build_history(bundles: Sequence[LoadedBundle], *, profile: str | None = None, last: int = 10) -> History:
    """History of the newest bundle's profile (or `profile`) over its last `last` bundles."""
    ordered = sorted(bundles, key=lambda b: (b.manifest.started_at, b.manifest.run_id))
    profile = profile or (ordered[-1].manifest.profile if ordered else "")
    window = [bundle for bundle in ordered if bundle.manifest.profile == profile][-last:]
    history = History(
        profile=profile,
        runs=[bundle.manifest.run_id for bundle in window],
        statuses=[bundle.status for bundle in window],
    )
    if len(window) < 2:
        return history.model_copy(
            update={"note": f"first run of profile {profile!r} here: nothing to compare with yet"}
        )
    series = _status_series(window)
    latest = window[-1]
    return history.model_copy(
        update={
            "newly_failing": [item for item in series if _is_bad(item.statuses[-1]) and _last_judged_good(item)],
            "newly_passing": [item for item in series if _is_good(item.statuses[-1]) and _last_judged_bad(item)],
            "flaky": [item for item in series if _flips(item.statuses) >= 2],
            "newly_unchecked": [
                item for item in series if _is_error(item.statuses[-1]) and bool(_judged(item.statuses[:-1]))
            ],
            "changes": _value_changes(window, latest),
            "trends": _trends(window),
            "note": ""
            if len(window) > MIN_EARLIER_RUNS
            else (
                f"{len(window) - 1} earlier run(s): value changes need at least {MIN_EARLIER_RUNS} to measure the noise"
            ),
        }
    )


def _status_series(window: Sequence[LoadedBundle]) -> list[CheckHistory]:
    keys: dict[tuple[str, str], str] = {}
    for bundle in window:
        for notebook, results in bundle.results.items():
            for check in results.checks:
                keys.setdefault((notebook, check.id), check.title)
    series = []
    for (notebook, check_id), title in keys.items():
        statuses: list[str | None] = []
        for bundle in window:
            found = bundle.results.get(notebook)
            match = [_status_label(check) for check in (found.checks if found else []) if check.id == check_id]
            statuses.append(match[0] if match else None)
        series.append(CheckHistory(notebook=notebook, check=check_id, title=title, statuses=statuses))
    return series


def _status_label(check: CheckResult) -> str:
    return f"error/{check.reason.value}" if check.reason else check.status.value


def _is_bad(status: str | None) -> bool:
    return status == CheckStatus.FAIL.value


def _is_error(status: str | None) -> bool:
    return status is not None and status.split("/")[0] == CheckStatus.ERROR.value


def _is_good(status: str | None) -> bool:
    return status == CheckStatus.PASS.value


def _judged(statuses: Sequence[str | None]) -> list[str]:
    return [status for status in statuses if _is_bad(status) or _is_good(status)]  # type: ignore[misc]


def _last_judged_good(item: CheckHistory) -> bool:
    earlier = _judged(item.statuses[:-1])
    return bool(earlier) and _is_good(earlier[-1])


def _last_judged_bad(item: CheckHistory) -> bool:
    earlier = _judged(item.statuses[:-1])
    return bool(earlier) and _is_bad(earlier[-1])


def _flips(statuses: Sequence[str | None]) -> int:
    judged = ["bad" if _is_bad(status) else "good" for status in _judged(statuses)]
    return sum(1 for before, after in itertools.pairwise(judged) if before != after)


def _values(bundle: LoadedBundle) -> dict[tuple[str, str, str], float]:
    return {
        (notebook, check.id, name): value
        for notebook, results in bundle.results.items()
        for check in results.checks
        if check.status is not CheckStatus.SKIP
        for name, value in numeric_values(check.measured)
    }


def _value_changes(window: Sequence[LoadedBundle], latest: LoadedBundle) -> list[ValueChange]:
    earlier_values = [_values(bundle) for bundle in window[:-1]]
    changes = []
    for key, value in _values(latest).items():
        earlier = [values[key] for values in earlier_values if key in values]
        if len(earlier) < MIN_EARLIER_RUNS:
            continue
        mean, stdev = statistics.fmean(earlier), statistics.stdev(earlier)
        distance = abs(value - mean)
        if distance <= max(NOISE_SIGMAS * stdev, RELATIVE_FLOOR * abs(mean)):
            continue
        changes.append(
            ValueChange(
                notebook=key[0],
                check=key[1],
                name=key[2],
                latest=value,
                earlier_mean=mean,
                earlier_stdev=stdev,
                earlier_runs=len(earlier),
                sigmas=round(distance / stdev, 2) if stdev else None,
            )
        )
    return sorted(changes, key=lambda change: -(change.sigmas or float("inf")))


def _trends(window: Sequence[LoadedBundle]) -> list[Trend]:
    points: dict[tuple[str, str, str], list[tuple[str, float]]] = {}
    for bundle in window:
        for notebook, results in bundle.results.items():
            for check in results.checks:
                for name, value in key_figures(check).items():
                    points.setdefault((notebook, check.id, name), []).append((bundle.manifest.run_id, value))
    return [
        Trend(notebook=notebook, check=check, name=name, points=series)
        for (notebook, check, name), series in points.items()
        if len(series) >= 2
    ]
