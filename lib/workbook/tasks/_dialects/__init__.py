"""One module per task-platform dialect behind `tasks._dialect.TaskDialect`; today `repackaging`
(seed 003). The invented pipeline dialect of the first notebook 50 is gone: no real platform spoke it."""

from ._registry import DIALECTS, make_dialect
from .repackaging import RepackagingDialect, RepackagingOptions

__all__ = ["DIALECTS", "RepackagingDialect", "RepackagingOptions", "make_dialect"]
