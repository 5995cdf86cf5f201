"""Writing a bundle's report files: summary.json, junit.xml, history.json, report/*.png, index.html.

Called by the runner while it seals a bundle (before hashing, so every report file is listed in
the manifest), and usable on any bundle on disk. History is read from the bundles next to this one
(same profile), never from state kept elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ..checks import NotebookResults, measured_summary
from ..evidence import LoadedBundle, RunManifest
from ._history import History, build_history
from ._junit import junit_xml
from ._plots import plot_outcomes, plot_trends
from ._summary import RunSummary, summarize

SUMMARY_FILE = "summary.json"
JUNIT_FILE = "junit.xml"
HISTORY_FILE = "history.json"
INDEX_FILE = "index.html"
REPORT_DIR = "report"
HISTORY_WINDOW = 10


@dataclass(frozen=True)
class Report:
    summary: RunSummary
    history: History
    files: tuple[Path, ...]


def write_report(
    bundle: Path,
    manifest: RunManifest,
    results: Mapping[str, NotebookResults],
    *,
    earlier: Sequence[LoadedBundle] = (),
    history_window: int = HISTORY_WINDOW,
) -> Report:
    """Write every report file into `bundle`; `earlier` are other bundles to build the history from."""
    summary = summarize(manifest, results)
    this = LoadedBundle(location=str(bundle), manifest=manifest, results=dict(results))
    others = [other for other in earlier if other.manifest.run_id != manifest.run_id]
    history = build_history([*others, this], profile=manifest.profile, last=history_window)
    written = [
        _write(bundle / SUMMARY_FILE, summary.model_dump_json(indent=2)),
        _write(bundle / JUNIT_FILE, junit_xml(manifest, results)),
        _write(bundle / HISTORY_FILE, history.model_dump_json(indent=2)),
    ]
    counts = {name: found.counts() for name, found in results.items()}
    outcomes = plot_outcomes(summary, counts, bundle / REPORT_DIR / "outcomes.png") if summary.notebooks else None
    trends = plot_trends(history, bundle / REPORT_DIR)
    written += [path for path in [outcomes, *(png for _, png in trends)] if path is not None]
    written.append(
        render_index(
            bundle / INDEX_FILE,
            manifest=manifest,
            summary=summary,
            history=history,
            checks={name: [check.model_dump(mode="json") for check in found.checks] for name, found in results.items()},
            outcomes_png=outcomes.relative_to(bundle).as_posix() if outcomes else "",
            trend_pngs=[(trend, png.relative_to(bundle).as_posix()) for trend, png in trends],
            previous_rate=_previous_pass_rate(others, manifest.profile),
        )
    )
    return Report(summary=summary, history=history, files=tuple(written))


def render_index(target: Path, **context: object) -> Path:
    environment = Environment(
        loader=PackageLoader("workbook.report", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    environment.filters["measured_summary"] = measured_summary
    manifest = context.pop("manifest")
    summary = context.pop("summary")
    history = context.pop("history")
    html = environment.get_template("index.html.j2").render(m=manifest, s=summary, h=history, **context)
    return _write(target, html)


def _previous_pass_rate(others: Sequence[LoadedBundle], profile: str) -> float | None:
    same = [other for other in others if other.manifest.profile == profile]
    if not same:
        return None
    previous = sorted(same, key=lambda b: (b.manifest.started_at, b.manifest.run_id))[-1]
    return summarize(previous.manifest, previous.results).pass_rate


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def summary_text(summary: RunSummary) -> str:
    """The one-line verdict for a console: `PASSED, 3 skipped (reasons...)`."""
    text = summary.verdict.upper()
    if summary.checks["fail"]:
        text += f", {summary.checks['fail']} platform defect(s)"
    if summary.checks["error"]:
        reasons = ", ".join(f"{group.reason} {len(group.checks)}" for group in summary.could_not_check)
        text += f", {summary.checks['error']} could not check ({reasons})"
    if summary.checks["skip"]:
        reasons = "; ".join(f"{item.notebook}/{item.check}: {item.detail}" for item in summary.skipped[:5])
        more = f"; +{len(summary.skipped) - 5} more" if len(summary.skipped) > 5 else ""
        text += f", {summary.checks['skip']} skipped ({reasons}{more})"
    return text
