"""The platform report: what a bundle says to a person and to a CI system.

`write_report` turns a bundle's manifest and results into `summary.json` (verdict, pass rate,
service x notebook matrix, critical issues, recommendations, key figures), `junit.xml`,
`history.json` (newly failing / passing, flaky, values beyond the run-to-run noise, trends across
the last bundles of the same profile), plots, and `index.html`, which reads well without Jupyter.
"""

from ._history import History, build_history
from ._junit import junit_xml
from ._summary import RunSummary, summarize
from ._write import HISTORY_FILE, INDEX_FILE, JUNIT_FILE, SUMMARY_FILE, Report, summary_text, write_report

__all__ = [
    "HISTORY_FILE",
    "INDEX_FILE",
    "JUNIT_FILE",
    "SUMMARY_FILE",
    "History",
    "Report",
    "RunSummary",
    "build_history",
    "junit_xml",
    "summarize",
    "summary_text",
    "write_report",
]
