"""Executing one notebook with papermill and classifying how it ended."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

from ..checks._model import CheckResult, CheckStatus
from ..checks._recorder import RESULTS_FILE, load_results
from ..evidence import NotebookEntry, export_html
from ..params._load import NotebookPlan
from ._console import Heartbeat, KernelStdout

KERNEL_NAME = "workbook"


def execute_notebook(
    plan: NotebookPlan,
    out_dir: Path,
    *,
    cell_timeout_s: float,
    env: Mapping[str, str],
    secrets: frozenset[str],
    emit: Callable[[str], None],
    kernel_name: str = KERNEL_NAME,
) -> NotebookEntry:
    """Run `plan` into `out_dir`; never raises for notebook failures (only for KeyboardInterrupt)."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    output = out_dir / f"{plan.name}.ipynb"
    entry = NotebookEntry(name=plan.name, started_at=_now())
    started = time.monotonic()
    parameters: dict[str, Any] = {**plan.parameters, "interactive": False}
    stdout = KernelStdout(plan.name, secrets, emit)
    heartbeat = Heartbeat(plan.name, emit)
    saved_env = _push_env(env)
    sockets = tempfile.TemporaryDirectory(prefix="workbook-kernel-")
    heartbeat.start()
    try:
        papermill.execute_notebook(
            str(plan.path),
            str(output),
            parameters=parameters,
            kernel_name=kernel_name,
            progress_bar=False,
            stdout_file=stdout,
            cwd=str(plan.path.parent),
            execution_timeout=cell_timeout_s,
            start_timeout=120,
            config=_ipc_kernel_config(Path(sockets.name)),
        )
        entry.exit_status = 0
    except KeyboardInterrupt:
        _fail(entry, "interrupted", "KeyboardInterrupt", "run interrupted (Ctrl-C or SIGTERM)", 130)
        raise
    except papermill.PapermillExecutionError as error:
        _fail(
            entry,
            "failed",
            error.ename,
            str(error.evalue),
            1,
            reason=f"cell {error.exec_count} raised {error.ename}: {error.evalue}",
        )
    except CellTimeoutError as error:
        _fail(
            entry,
            "timeout",
            "CellTimeoutError",
            str(error).splitlines()[0][:500],
            1,
            reason=f"a cell exceeded the execution timeout of {cell_timeout_s:g} s",
        )
    except DeadKernelError as error:
        _fail(entry, "kernel_died", "DeadKernelError", str(error)[:500], 1, reason="the kernel died mid-run")
    except Exception as error:
        _fail(entry, "failed", type(error).__name__, str(error)[:500], 1)
    finally:
        sockets.cleanup()
        heartbeat.stop()
        stdout.flush()
        _pop_env(saved_env)
        entry.ended_at = _now()
        entry.duration_s = round(time.monotonic() - started, 3)
        _finish_evidence(plan, output, out_dir, entry)
    return entry


def _ipc_kernel_config(socket_dir: Path) -> Any:
    """Kernel channels over Unix sockets in a private folder: unlike loopback TCP ports (which
    ipykernel warns about on every start), no other local user can connect to them."""
    from traitlets.config import Config

    return Config({"KernelManager": {"transport": "ipc", "ip": str(socket_dir / "kernel")}})


def _finish_evidence(plan: NotebookPlan, output: Path, out_dir: Path, entry: NotebookEntry) -> None:
    if not output.exists():
        # papermill failed before its first save: keep the input so the bundle still shows what was meant to run.
        output.write_text(plan.path.read_text())
    if entry.exception_class and entry.status != "passed":
        _add_failure_banner(output, entry)
    _finalise_results(out_dir / RESULTS_FILE, plan.name, entry)
    try:
        export_html(output, out_dir / f"{plan.name}.html")
    except Exception as error:
        (out_dir / f"{plan.name}.html").write_text(f"<p>HTML export failed: {type(error).__name__}: {error}</p>")


def _finalise_results(path: Path, notebook: str, entry: NotebookEntry) -> None:
    """Declared checks that never ran become errors naming why; the notebook status follows the checks."""
    results = load_results(path)
    if results is None:
        entry.checks = {}
        if entry.status == "not_run":
            entry.status, entry.reason = "failed", "the notebook recorded no checks (no results.json)"
        return
    recorded = {check.id for check in results.checks}
    why = entry.reason or "the notebook ended before reaching it"
    for check_id, title in results.declared.items():
        if check_id not in recorded:
            results.checks.append(
                CheckResult(id=check_id, title=title, status=CheckStatus.ERROR, detail=f"not run: {why}")
            )
    path.write_text(results.model_dump_json(indent=2))
    entry.checks = results.counts()
    if entry.status != "not_run":
        return
    bad = entry.checks.get("fail", 0) + entry.checks.get("error", 0)
    if not results.checks:
        entry.status, entry.reason = "failed", "the notebook recorded no checks"
    elif bad:
        entry.status, entry.reason = "failed", f"{bad} check(s) failed or errored"
    else:
        entry.status = "passed"


def _add_failure_banner(output: Path, entry: NotebookEntry) -> None:
    # papermill marks raised exceptions in the notebook, but not timeouts or dead kernels.
    notebook = nbformat.read(output, as_version=4)
    banner = nbformat.v4.new_markdown_cell(
        f"**Workbook run {entry.status.upper()}**: {entry.reason or entry.exception_message} "
        f"(`{entry.exception_class}`). This notebook is partial evidence.",
        metadata={"tags": ["workbook-failure"]},
    )
    notebook.cells.insert(0, banner)
    nbformat.write(notebook, output)


def _fail(
    entry: NotebookEntry, status: str, exc_class: str, message: str, exit_status: int, *, reason: str = ""
) -> None:
    entry.status = status
    entry.exception_class = exc_class
    entry.exception_message = message
    entry.exit_status = exit_status
    entry.reason = reason or message


def _push_env(env: Mapping[str, str]) -> dict[str, str | None]:
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    return saved


def _pop_env(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
