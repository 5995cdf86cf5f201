"""Known task-platform dialects, by name (the notebook's `dialect` parameter)."""

from __future__ import annotations

from typing import Any

from ..._errors import UsageError
from .._dialect import TaskDialect
from .repackaging import RepackagingDialect, RepackagingOptions

DIALECTS: dict[str, type[TaskDialect]] = {"repackaging": RepackagingDialect}


def make_dialect(name: str, options: dict[str, Any]) -> TaskDialect:
    if name not in DIALECTS:
        raise UsageError(f"dialect {name!r}: expected one of {sorted(DIALECTS)}")
    if name == "repackaging":
        return RepackagingDialect(RepackagingOptions.model_validate(options))
    raise AssertionError(name)  # pragma: no cover


__all__ = ["DIALECTS", "RepackagingDialect", "RepackagingOptions", "make_dialect"]
