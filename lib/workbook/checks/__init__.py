"""Checks API: notebooks declare their checks up front and record each one's outcome.

Outcomes land in `results.json` in the notebook's evidence folder as they happen (so a crash
mid-notebook still leaves the checks that ran) and show in the notebook as a pandas table.
`final_results` and `verdict` are the one rule for a notebook's final state, applied by the
kernel (`Checks.finish`) and by the runner alike.
"""

from ._model import (
    CheckResult,
    CheckSpec,
    CheckStatus,
    NotebookResults,
    Severity,
    final_results,
    measured_summary,
    verdict,
)
from ._recorder import CheckContext, CheckFailed, Checks, CheckSkipped
from ._store import RESULTS_FILE, load_results, write_results

__all__ = [
    "RESULTS_FILE",
    "CheckContext",
    "CheckFailed",
    "CheckResult",
    "CheckSkipped",
    "CheckSpec",
    "CheckStatus",
    "Checks",
    "NotebookResults",
    "Severity",
    "final_results",
    "load_results",
    "measured_summary",
    "verdict",
    "write_results",
]
