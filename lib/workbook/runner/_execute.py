"""Executing one notebook with papermill and classifying how it ended.

`execute_notebook` is the runner's default executor: it never raises for a notebook failure
(Ctrl-C included: it returns an `interrupted` entry and the runner stops), and returns the
notebook's entry with its final results loaded, so nothing downstream reads results.json again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from ..checks import (
    RESULTS_FILE,
    ErrorReason,
    NotebookResults,
    final_results,
    load_results,
    verdict,
    write_results,
)
from ..evidence import NotebookEntry, export_html
from ..params import NotebookPlan
from ._console import Heartbeat, KernelStdout
from ._kernel import KERNEL_NAME, execute_with_papermill


@dataclass(frozen=True)
class KernelContext:
    """What the runner hands each notebook execution: explicit values, no shared state."""

    env: Mapping[str, str]
    secrets: frozenset[str] = frozenset()
    cell_timeout_s: float = 600.0
    emit: Callable[[str], None] = print
    kernel_name: str = KERNEL_NAME


@dataclass(frozen=True)
class Ending:
    """How an execution stopped, before its checks are looked at."""

    status: str = "completed"  # completed | failed | timeout | kernel_died | interrupted
    exception_class: str | None = None
    exception_message: str | None = None
    reason: str = ""
    exit_status: int = 0


# The kernel process's own stderr, kept beside the notebook in the bundle.
KERNEL_LOG = "kernel.log"
# A kernel that fails to start (a port or socket race, a slow machine) is retried; a notebook that ran is not.
KERNEL_START_ATTEMPTS = 3

# An executor runs one notebook into its bundle folder and returns its entry (the runner's seam).
Executor = Callable[[NotebookPlan, Path, KernelContext], NotebookEntry]


def execute_notebook(plan: NotebookPlan, out_dir: Path, context: KernelContext) -> NotebookEntry:
    """Run `plan` into `out_dir` in a fresh kernel; classify the ending; return the finished entry."""
    output = out_dir / f"{plan.name}.ipynb"
    started_at, started = _now(), time.monotonic()
    stdout = KernelStdout(plan.name, context.secrets, context.emit)
    heartbeat = Heartbeat(plan.name, context.emit)
    heartbeat.start()
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                execute_with_papermill(
                    plan.path,
                    output,
                    parameters={**plan.parameters, "interactive": False},
                    env=context.env,
                    cell_timeout_s=context.cell_timeout_s,
                    kernel_name=context.kernel_name,
                    stdout=stdout,  # type: ignore[arg-type]
                    kernel_log=out_dir / KERNEL_LOG,
                )
                ending = Ending()
                break
            except BaseException as error:
                ending = ending_of(error, context.cell_timeout_s)
                if attempt == KERNEL_START_ATTEMPTS or not kernel_never_started(error, output):
                    break
                context.emit(f"  {plan.name}: kernel failed to start ({type(error).__name__}: {error}); retrying")
    finally:
        heartbeat.stop()
        stdout.flush()
    if not output.exists():
        # papermill failed before its first save: keep the input so the bundle still shows what was meant to run.
        output.write_text(plan.path.read_text())
    if ending.status != "completed":
        add_failure_banner(output, ending)
    results = finalise_results_file(out_dir / RESULTS_FILE, ending)
    export_html_or_note(output, out_dir / f"{plan.name}.html")
    return settle_entry(
        plan.name,
        ending,
        results,
        started_at=started_at,
        duration_s=round(time.monotonic() - started, 3),
        notebook=plan.notebook,
        matrix=plan.matrix,
    )


def kernel_never_started(error: BaseException, output: Path) -> bool:
    """True when `error` came before any cell ran (so running again cannot repeat a side effect)."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(error, KeyboardInterrupt | papermill.PapermillExecutionError | CellTimeoutError | DeadKernelError):
        return False
    if not output.exists():
        return True
    notebook = nbformat.read(output, as_version=4)
    return not any(cell.get("execution_count") for cell in notebook.cells if cell.cell_type == "code")


def ending_of(error: BaseException, cell_timeout_s: float) -> Ending:
    """Name the way a papermill execution failed."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(error, KeyboardInterrupt):
        return Ending("interrupted", "KeyboardInterrupt", "run interrupted (Ctrl-C or SIGTERM)", "", 130)
    if isinstance(error, papermill.PapermillExecutionError):
        reason = f"cell {error.exec_count} raised {error.ename}: {error.evalue}"
        return Ending("failed", error.ename, str(error.evalue), reason, 1)
    if isinstance(error, CellTimeoutError):
        reason = f"a cell exceeded the execution timeout of {cell_timeout_s:g} s"
        return Ending("timeout", "CellTimeoutError", str(error).splitlines()[0][:500], reason, 1)
    if isinstance(error, DeadKernelError):
        return Ending("kernel_died", "DeadKernelError", str(error)[:500], "the kernel died mid-run", 1)
    return Ending("failed", type(error).__name__, str(error)[:500], str(error)[:500], 1)


def finalise_results_file(path: Path, ending: Ending) -> NotebookResults | None:
    """Read the kernel's results once; record declared-but-unrun checks; write back only if that changed."""
    results = load_results(path)
    if results is None:
        return None
    # A cell timeout is no evidence against the platform, and no proof of a workbook bug either.
    reason = ErrorReason.UNREACHABLE if ending.status == "timeout" else ErrorReason.INTERNAL
    final = final_results(results, ending.reason or "the notebook ended before reaching it", reason)
    if len(final.checks) != len(results.checks):
        write_results(path, final)
    return final


def settle_entry(
    name: str,
    ending: Ending,
    results: NotebookResults | None,
    *,
    started_at: str | None,
    duration_s: float | None,
    notebook: str = "",
    matrix: Mapping[str, object] | None = None,
) -> NotebookEntry:
    """The notebook's manifest entry: the ending decides, unless the notebook ran to its end (then its checks do)."""
    if ending.status == "completed":
        status, reason = verdict(results)
        exit_status = 0
    else:
        status, reason, exit_status = (
            ending.status,
            ending.reason or (ending.exception_message or ""),
            ending.exit_status,
        )
    return NotebookEntry(
        name=name,
        notebook=notebook or name,
        matrix=dict(matrix or {}),
        status=status,
        reason=reason,
        exception_class=ending.exception_class,
        exception_message=ending.exception_message,
        exit_status=exit_status,
        started_at=started_at,
        ended_at=_now(),
        duration_s=duration_s,
        checks=results.counts() if results else {},
        could_not_check=results.reasons() if results else {},
        results=results,
    )


def add_failure_banner(output: Path, ending: Ending) -> None:
    # papermill marks raised exceptions in the notebook, but not timeouts or dead kernels.
    notebook = nbformat.read(output, as_version=4)
    banner = nbformat.v4.new_markdown_cell(
        f"**Workbook run {ending.status.upper()}**: {ending.reason or ending.exception_message} "
        f"(`{ending.exception_class}`). This notebook is partial evidence.",
        metadata={"tags": ["workbook-failure"]},
    )
    notebook.cells.insert(0, banner)
    nbformat.write(notebook, output)


def export_html_or_note(notebook: Path, html: Path) -> None:
    try:
        export_html(notebook, html)
    except Exception as error:
        html.write_text(f"<p>HTML export failed: {type(error).__name__}: {error}</p>")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
