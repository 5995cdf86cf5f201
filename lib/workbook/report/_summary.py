"""The executive summary of one run: verdict, pass rate, service x notebook matrix, critical issues,
recommendations, key figures, skipped checks. A pure function of a bundle's manifest and results;
`summary.json` in every bundle is this value, for scripts.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from ..checks import CheckResult, CheckStatus, NotebookResults, Severity
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


class MatrixCell(BaseModel):
    status: str  # pass | fail | skip | none
    passed: int = 0
    failed: int = 0
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
    issues: list[Issue]  # failed and errored checks, critical first
    recommendations: list[str]
    key_figures: list[KeyFigure]
    skipped: list[Issue]
    notebook_status: dict[str, str]
    # Matrix runs per notebook: one row per combination of values.
    matrix_runs: dict[str, list[MatrixRun]] = Field(default_factory=dict)


def summarize(manifest: RunManifest, results: Mapping[str, NotebookResults]) -> RunSummary:
    notebooks = [entry.name for entry in manifest.notebooks]
    all_checks = [(name, check) for name in notebooks for check in _checks(results, name)]
    counts = {status.value: 0 for status in CheckStatus}
    for _, check in all_checks:
        counts[check.status.value] += 1
    judged = counts["pass"] + counts["fail"] + counts["error"]
    services = sorted({check.service or UNASSIGNED for _, check in all_checks})
    issues = sorted(
        (_issue(name, check) for name, check in all_checks if check.status in (CheckStatus.FAIL, CheckStatus.ERROR)),
        key=lambda issue: (_SEVERITY_ORDER[Severity(issue.severity)], issue.notebook, issue.check),
    )
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
    failed = sum(check.status in (CheckStatus.FAIL, CheckStatus.ERROR) for check in checks)
    passed = sum(check.status is CheckStatus.PASS for check in checks)
    skipped = sum(check.status is CheckStatus.SKIP for check in checks)
    status = "none" if not checks else "fail" if failed else "pass" if passed else "skip"
    return MatrixCell(
        status=status, passed=passed, failed=failed, skipped=skipped, checks=[check.id for check in checks]
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
    )


def _recommendations(issues: list[Issue]) -> list[str]:
    """One line per distinct remedy of a failing check, most severe first, naming where it applies."""
    seen: dict[str, list[str]] = {}
    for issue in issues:
        if issue.remedy:
            seen.setdefault(issue.remedy, []).append(f"{issue.notebook}/{issue.check}")
    return [f"{remedy} ({', '.join(where)})" for remedy, where in seen.items()]
