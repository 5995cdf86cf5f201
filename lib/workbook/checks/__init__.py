"""Checks API: notebooks declare their checks up front and record each one's outcome.

Outcomes land in `results.json` in the notebook's evidence folder as they happen (so a crash
mid-notebook still leaves the checks that ran) and show in the notebook as a pandas table.
A check ends `fail` only on evidence against the platform; one that could not exercise it ends
`error` with a reason class (`ErrorReason`; `classify` is the one rule for what a body raised).
`final_results` and `verdict` are the one rule for a notebook's final state, applied by the
kernel (`Checks.finish`) and by the runner alike.
"""

from ._model import (
    REASON_ADVICE,
    CheckResult,
    CheckSpec,
    CheckStatus,
    ErrorReason,
    NotebookResults,
    Severity,
    final_results,
    measured_summary,
    reason_counts,
    status_counts,
    verdict,
)
from ._recorder import CheckContext, CheckFailed, Checks, CheckSkipped, FailedSetup
from ._row import check_row_html
from ._store import RESULTS_FILE, load_results, write_results
from ._verdicts import CouldNotCheck, classify, quote

__all__ = [
    "REASON_ADVICE",
    "RESULTS_FILE",
    "CheckContext",
    "CheckFailed",
    "CheckResult",
    "CheckSkipped",
    "CheckSpec",
    "CheckStatus",
    "Checks",
    "CouldNotCheck",
    "ErrorReason",
    "FailedSetup",
    "NotebookResults",
    "Severity",
    "check_row_html",
    "classify",
    "final_results",
    "load_results",
    "measured_summary",
    "quote",
    "reason_counts",
    "status_counts",
    "verdict",
    "write_results",
]
