"""Checks API: notebooks declare their checks up front and record each one's outcome.

Outcomes land in `results.json` in the notebook's evidence folder as they happen (so a crash
mid-notebook still leaves the checks that ran) and show in the notebook as a pandas table.
"""

from ._model import CheckResult, CheckStatus, measured_summary
from ._recorder import CheckContext, CheckFailed, Checks, CheckSkipped, load_results

__all__ = [
    "CheckContext",
    "CheckFailed",
    "CheckResult",
    "CheckSkipped",
    "CheckStatus",
    "Checks",
    "load_results",
    "measured_summary",
]
