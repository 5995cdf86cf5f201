"""The shape of one check's outcome, as stored in results.json."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class CheckResult(BaseModel):
    id: str
    title: str
    status: CheckStatus
    detail: str = ""
    measured: dict[str, Any] = Field(default_factory=dict)
    duration_s: float = 0.0
    started_at: str | None = None


class NotebookResults(BaseModel):
    notebook: str
    declared: dict[str, str]
    checks: list[CheckResult] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in CheckStatus}
        for check in self.checks:
            counts[check.status.value] += 1
        return counts


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
