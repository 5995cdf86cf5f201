"""A check's row as it finishes, shown in the cell that ran it (the lab): one small HTML table."""

from __future__ import annotations

import html

from ..credentials import redact, seen_secrets
from ._model import CheckResult, measured_summary

STATUS_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "error": "#8250df", "skip": "#6e7781"}


def check_row_html(result: CheckResult, secrets: frozenset[str] = frozenset()) -> str:
    """One check as a one-row table (status, id, title, detail, duration), secrets redacted."""
    status = result.status.value
    colour = STATUS_COLOURS.get(status, "#6e7781")
    detail = redact(result.detail or measured_summary(result.measured), secrets)
    duration = f"{result.duration_s:.2f} s"
    cells = [
        f"<td style='width: 4em; color: white; background: {colour}; padding: 2px 8px; font-weight: bold'>"
        f"<span class='workbook-check-status'>{status}</span></td>",
        f"<td style='width: 22%; padding: 2px 8px; text-align: left'><code>{html.escape(result.id)}</code></td>",
        f"<td style='width: 28%; padding: 2px 8px; text-align: left'>{html.escape(result.title)}</td>",
        f"<td style='padding: 2px 8px; text-align: left'>{html.escape(detail[:500])}</td>",
        f"<td style='width: 5em; padding: 2px 8px; white-space: nowrap'>{duration}</td>",
    ]
    # Fixed column widths: consecutive rows line up like one table growing as checks finish.
    return (
        f"<table class='workbook-check workbook-check-{status}' style='width: 100%; table-layout: fixed'>"
        f"<tr>{''.join(cells)}</tr></table>"
    )


def show_check(result: CheckResult) -> None:
    from IPython.display import HTML, display

    display(HTML(check_row_html(result, seen_secrets())))
