"""The executive summary of one run: verdict, pass rate, service x notebook matrix, platform defects
(failed checks, critical first), what could not be checked (errored checks by reason class, with what
to configure), recommendations (only remedies for defects a check observed), key figures, skipped
checks. A pure function of a bundle's manifest and results; `summary.json` in every bundle is this
value, for scripts.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from ..checks import REASON_ADVICE, CheckResult, CheckStatus, ErrorReason, NotebookResults, Severity, status_counts
from ..evidence import RunManifest, effective_status
from ._figures import key_figures

UNASSIGNED = "general"
_SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2}


class Issue(BaseModel):
    notebook: str
    check: str
    title: str
    status: str
    severity: str
    service: str
    detail: str
    remedy: str
    reason: str = ""  # the reason class of an errored check


class CouldNotCheckGroup(BaseModel):
    """Errored checks of one reason class: what to configure, and each check with its own words."""

    reason: str
    configure: str
    services: list[str]
    checks: list[Issue]


class MatrixCell(BaseModel):
    status: str  # fail | error | pass | skip | none (the worst outcome in the cell)
    passed: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0
    checks: list[str] = Field(default_factory=list)


class KeyFigure(BaseModel):
    notebook: str
    check: str
    name: str
    value: float
    service: str


class MatrixRun(BaseModel):
    entry: str
    values: dict[str, str]
    status: str
    checks: dict[str, int]
    duration_s: float | None


class RunSummary(BaseModel):
    run_id: str
    profile: str
    verdict: str
    reason: str
    started_at: str
    duration_s: float | None
    checks: dict[str, int]
    pass_rate: float | None  # passed / (passed + failed + errored); None when nothing was judged
    services: list[str]
    notebooks: list[str]
    matrix: dict[str, dict[str, MatrixCell]]  # service -> notebook -> cell
    issues: list[Issue]  # platform defects: failed checks, critical first
    could_not_check: list[CouldNotCheckGroup]  # errored checks by reason class
    recommendations: list[str]
    key_figures: list[KeyFigure]
    skipped: list[Issue]
    notebook_status: dict[str, str]
    # Matrix runs per notebook: one row per combination of values.
    matrix_runs: dict[str, list[MatrixRun]] = Field(default_factory=dict)


def summarize(manifest: RunManifest, results: Mapping[str, NotebookResults]) -> RunSummary:
    notebooks = [entry.name for entry in manifest.notebooks]
    all_checks = [(name, check) for name in notebooks for check in _checks(results, name)]
    counts = status_counts(check for _, check in all_checks)
    judged = counts["pass"] + counts["fail"] + counts["error"]
    services = sorted({check.service or UNASSIGNED for _, check in all_checks})
    issues = sorted(
        (_issue(name, check) for name, check in all_checks if check.status is CheckStatus.FAIL),
        key=lambda issue: (_SEVERITY_ORDER[Severity(issue.severity)], issue.notebook, issue.check),
    )
    errored = [_issue(name, check) for name, check in all_checks if check.status is CheckStatus.ERROR]
    return RunSummary(
        run_id=manifest.run_id,
        profile=manifest.profile,
        verdict=effective_status(manifest),
        reason=manifest.reason,
        started_at=manifest.started_at,
        duration_s=manifest.duration_s,
        checks=counts,
        pass_rate=round(counts["pass"] / judged, 4) if judged else None,
        services=services,
        notebooks=notebooks,
        matrix={service: {name: _cell(results, name, service) for name in notebooks} for service in services},
        issues=issues,
        could_not_check=_could_not_check(errored),
        recommendations=_recommendations(issues),
        key_figures=[
            KeyFigure(notebook=name, check=check.id, name=figure, value=value, service=check.service or UNASSIGNED)
            for name, check in all_checks
            for figure, value in key_figures(check).items()
        ],
        skipped=[_issue(name, check) for name, check in all_checks if check.status is CheckStatus.SKIP],
        notebook_status={entry.name: entry.status for entry in manifest.notebooks},
        matrix_runs=_matrix_runs(manifest),
    )


def _matrix_runs(manifest: RunManifest) -> dict[str, list[MatrixRun]]:
    runs: dict[str, list[MatrixRun]] = {}
    for entry in manifest.notebooks:
        if entry.matrix:
            runs.setdefault(entry.notebook or entry.name, []).append(
                MatrixRun(
                    entry=entry.name,
                    values={key: _short(value) for key, value in entry.matrix.items()},
                    status=entry.status,
                    checks=entry.checks,
                    duration_s=entry.duration_s,
                )
            )
    return runs


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _checks(results: Mapping[str, NotebookResults], notebook: str) -> list[CheckResult]:
    found = results.get(notebook)
    return list(found.checks) if found else []


def _cell(results: Mapping[str, NotebookResults], notebook: str, service: str) -> MatrixCell:
    checks = [check for check in _checks(results, notebook) if (check.service or UNASSIGNED) == service]
    counts = status_counts(checks)
    failed, errored, passed, skipped = counts["fail"], counts["error"], counts["pass"], counts["skip"]
    status = "none" if not checks else "fail" if failed else "error" if errored else "pass" if passed else "skip"
    return MatrixCell(
        status=status,
        passed=passed,
        failed=failed,
        errored=errored,
        skipped=skipped,
        checks=[check.id for check in checks],
    )


def _issue(notebook: str, check: CheckResult) -> Issue:
    return Issue(
        notebook=notebook,
        check=check.id,
        title=check.title,
        status=check.status.value,
        severity=check.severity.value,
        service=check.service or UNASSIGNED,
        detail=check.detail,
        remedy=check.remedy,
        reason=check.reason.value if check.reason else "",
    )


def _could_not_check(errored: list[Issue]) -> list[CouldNotCheckGroup]:
    """Errored checks grouped by reason class, in the order a reader fixes them (config before bugs)."""
    groups = []
    for reason in ErrorReason:
        checks = [issue for issue in errored if issue.reason == reason.value]
        if checks:
            groups.append(
                CouldNotCheckGroup(
                    reason=reason.value,
                    configure=REASON_ADVICE[reason],
                    services=sorted({issue.service for issue in checks}),
                    checks=checks,
                )
            )
    return groups


def _recommendations(issues: list[Issue]) -> list[str]:
    """One line per distinct remedy of a failed check (a remedy is only ever attached to a defect the
    check observed), most severe first, naming where it applies."""
    seen: dict[str, list[str]] = {}
    for issue in issues:
        if issue.remedy:
            seen.setdefault(issue.remedy, []).append(f"{issue.notebook}/{issue.check}")
    return [f"{remedy} ({', '.join(where)})" for remedy, where in seen.items()]
