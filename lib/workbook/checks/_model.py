"""The shape of a notebook's checks as stored in results.json, and the one rule for its final state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class ErrorReason(StrEnum):
    """Why a check could not exercise the platform (its status is `error`, never `fail`).

    `fail` is an accusation made on evidence that the platform misbehaves; an `error` says the
    workbook could not get that far, and the reason class says what to configure or fix.
    """

    UNREACHABLE = "unreachable"  # no connection, or no answer in time
    AUTH = "auth"  # 401/403 on the profile's credentials
    DIALECT = "dialect"  # route missing, envelope not understood: the platform speaks something else
    SETUP = "setup"  # the notebook's setup failed before the check could run
    INTERNAL = "internal"  # a workbook bug


# What a reader should configure or fix for each reason class (the report's "could not check" section).
REASON_ADVICE: dict[ErrorReason, str] = {
    ErrorReason.UNREACHABLE: "check the service profile's url / ws_url and that the service is up",
    ErrorReason.AUTH: (
        "check the service profile's auth (kind, header or parameter name) and the variable its secret_env names"
    ),
    ErrorReason.DIALECT: "set the capability's dialect (or its route / field options) to what the platform speaks",
    ErrorReason.SETUP: "fix the notebook's setup (parameters, services, credentials) named in the detail",
    ErrorReason.INTERNAL: "a workbook bug: report it with this bundle",
}


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class CheckSpec(BaseModel):
    """What a notebook declares about one check before running it.

    `service` names the part of the platform the check judges (the report's service x notebook
    matrix; a service profile name), `severity` orders failures, `remedy` is the typical fix — shown
    only when the check's body confirms that very defect (`c.expect(..., remedy=True)`),
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
    # Set exactly when status is `error`: why the platform could not be exercised.
    reason: ErrorReason | None = None
    detail: str = ""
    measured: dict[str, Any] = Field(default_factory=dict)
    duration_s: float = 0.0
    started_at: str | None = None
    service: str = ""
    severity: Severity = Severity.MAJOR
    # Only remedies for defects this check observed (never a canned line for an unobserved one).
    remedy: str = ""
    figures: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _reason_only_on_error(self) -> CheckResult:
        if self.status is CheckStatus.ERROR and self.reason is None:
            # results.json written before reasons existed, or an error nobody classified
            object.__setattr__(self, "reason", ErrorReason.INTERNAL)
        elif self.status is not CheckStatus.ERROR and self.reason is not None:
            object.__setattr__(self, "reason", None)
        return self


class NotebookResults(BaseModel):
    notebook: str
    declared: dict[str, CheckSpec]
    checks: list[CheckResult] = Field(default_factory=list)

    @field_validator("declared", mode="before")
    @classmethod
    def _specs(cls, value: Mapping[str, Any]) -> dict[str, CheckSpec]:
        return {check_id: as_spec(item) for check_id, item in dict(value).items()}

    def counts(self) -> dict[str, int]:
        return status_counts(self.checks)

    def reasons(self) -> dict[str, int]:
        """Errored checks per reason class."""
        return reason_counts(self.checks)

    def result(self, check_id: str, status: CheckStatus, detail: str = "", **fields: Any) -> CheckResult:
        """A result for a declared check, carrying its declaration's title, service, severity and figures
        (its remedy only when `fields` carries one: remedies come from observed defects)."""
        spec = self.declared[check_id]
        return CheckResult(
            id=check_id,
            title=spec.title,
            status=status,
            detail=detail,
            service=spec.service,
            severity=spec.severity,
            figures=spec.figures,
            **fields,
        )


def status_counts(checks: Iterable[CheckResult]) -> dict[str, int]:
    """`{"pass": n, "fail": n, "skip": n, "error": n}`: the one way checks are counted."""
    counts = {status.value: 0 for status in CheckStatus}
    for check in checks:
        counts[check.status.value] += 1
    return counts


def reason_counts(checks: Iterable[CheckResult]) -> dict[str, int]:
    """Errored checks per reason class (only the classes that occur), so "could not check" is told
    apart from a platform defect wherever checks are counted (console, manifest, summary)."""
    counts: dict[str, int] = {}
    for check in checks:
        if check.status is CheckStatus.ERROR and check.reason is not None:
            counts[check.reason.value] = counts.get(check.reason.value, 0) + 1
    return counts


def final_results(
    results: NotebookResults, why_not_run: str, reason: ErrorReason = ErrorReason.INTERNAL
) -> NotebookResults:
    """The results with every declared check that never ran recorded as an error saying why.

    The one rule both the kernel (`Checks.finish`) and the runner (a notebook that stopped early)
    apply; it returns a new value and leaves `results` as it was. `reason` classes the errors
    (`setup` when the notebook's setup failed, `internal` when the notebook itself broke).
    """
    recorded = {check.id for check in results.checks}
    missing = [
        results.result(check_id, CheckStatus.ERROR, f"not run: {why_not_run}", reason=reason)
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
