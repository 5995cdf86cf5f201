"""Known task-platform dialects, by name (the notebook's `dialect` parameter)."""

from __future__ import annotations

from typing import Any

from ...connect import pick_dialect
from .._dialect import TaskDialect
from .repackaging import RepackagingDialect, RepackagingOptions

DIALECTS: dict[str, type[TaskDialect]] = {"repackaging": RepackagingDialect}


def make_dialect(name: str, options: dict[str, Any]) -> TaskDialect:
    """The dialect `name` with its options overridden by `options` (UsageError naming the known ones)."""
    pick_dialect(DIALECTS, name)
    return RepackagingDialect(RepackagingOptions.model_validate(options))
