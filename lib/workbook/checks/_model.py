"""The shape of a notebook's checks as stored in results.json, and the one rule for its final state."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class CheckSpec(BaseModel):
    """What a notebook declares about one check before running it.

    `service` names the part of the platform the check judges (the report's service x notebook
    matrix), `severity` orders failures, `remedy` is the one line a reader sees when it fails,
    `figures` names the measured values that are the run's key figures (shown in the report's
    summary and trended across runs), e.g. `("p99_ms",)`; a dotted name reaches into a dict.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    service: str = ""
    severity: Severity = Severity.MAJOR
    remedy: str = ""
    figures: tuple[str, ...] = ()


def as_spec(declared: str | CheckSpec | Mapping[str, Any]) -> CheckSpec:
    """A declaration given as a bare title, a CheckSpec or its dict form."""
    if isinstance(declared, CheckSpec):
        return declared
    if isinstance(declared, str):
        return CheckSpec(title=declared)
    return CheckSpec.model_validate(dict(declared))


class CheckResult(BaseModel):
    id: str
    title: str
    status: CheckStatus
    detail: str = ""
    measured: dict[str, Any] = Field(default_factory=dict)
    duration_s: float = 0.0
    started_at: str | None = None
    service: str = ""
    severity: Severity = Severity.MAJOR
    remedy: str = ""
    figures: tuple[str, ...] = ()


class NotebookResults(BaseModel):
    notebook: str
    declared: dict[str, CheckSpec]
    checks: list[CheckResult] = Field(default_factory=list)

    @field_validator("declared", mode="before")
    @classmethod
    def _specs(cls, value: Mapping[str, Any]) -> dict[str, CheckSpec]:
        return {check_id: as_spec(item) for check_id, item in dict(value).items()}

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in CheckStatus}
        for check in self.checks:
            counts[check.status.value] += 1
        return counts

    def result(self, check_id: str, status: CheckStatus, detail: str = "", **fields: Any) -> CheckResult:
        """A result for a declared check, carrying its declaration's title, service, severity and remedy."""
        spec = self.declared[check_id]
        return CheckResult(
            id=check_id,
            title=spec.title,
            status=status,
            detail=detail,
            service=spec.service,
            severity=spec.severity,
            remedy=spec.remedy,
            figures=spec.figures,
            **fields,
        )


def final_results(results: NotebookResults, why_not_run: str) -> NotebookResults:
    """The results with every declared check that never ran recorded as an error saying why.

    The one rule both the kernel (`Checks.finish`) and the runner (a notebook that stopped early)
    apply; it returns a new value and leaves `results` as it was.
    """
    recorded = {check.id for check in results.checks}
    missing = [
        results.result(check_id, CheckStatus.ERROR, f"not run: {why_not_run}")
        for check_id in results.declared
        if check_id not in recorded
    ]
    return results.model_copy(update={"checks": [*results.checks, *missing]})


def verdict(results: NotebookResults | None) -> tuple[str, str]:
    """`("passed", "")` or `("failed", reason)` for a notebook that ran to its end."""
    if results is None:
        return "failed", "the notebook recorded no checks (no results.json)"
    if not results.checks:
        return "failed", "the notebook recorded no checks"
    counts = results.counts()
    bad = counts["fail"] + counts["error"]
    if bad:
        return "failed", f"{bad} check(s) failed or errored"
    return "passed", ""


def measured_summary(measured: dict[str, Any], limit: int = 240) -> str:
    """`key=value, ...` for a check's scalar measurements, so a passing check still shows evidence."""
    parts = []
    for key, value in measured.items():
        if isinstance(value, float):
            parts.append(f"{key}={value:.4g}")
        elif isinstance(value, str | int | bool) and len(str(value)) <= 60:
            parts.append(f"{key}={value}")
    text = ", ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
