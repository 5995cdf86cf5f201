"""A whole run: sandbox up, every notebook, sandbox down, bundle sealed — in that order, always."""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from .._context import EVIDENCE_DIR_ENV, RUN_ID_ENV, repo_root
from .._errors import SandboxError
from .._secrets import MIN_SECRET_LENGTH, secret_values_in_env
from ..checks._recorder import RESULTS_FILE
from ..evidence import Bundle, NotebookEntry, RunManifest, environment_facts, render_index, scrub_tree, sha256_file
from ..params._load import RunPlan
from ..sandbox import Sandbox
from ._execute import KERNEL_NAME, execute_notebook

Emit = Callable[[str], None]
_SECRET_ENV_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|ACCESS_KEY|CREDENTIAL", re.IGNORECASE)


@dataclass
class RunOutcome:
    exit_code: int
    bundle: Path
    manifest: RunManifest


def run(
    plan: RunPlan,
    *,
    outputs_dir: Path | None = None,
    emit: Emit = print,
    kernel_name: str = KERNEL_NAME,
    time_scale: float | None = None,
) -> RunOutcome:
    """Execute `plan`. Params problems raise ParamsError before anything starts; everything after
    that is recorded in the bundle and reflected in the exit code (0 only if every check passed)."""
    plan.time_scale = time_scale or plan.time_scale
    sandbox = Sandbox(plan.sandbox, time_scale=plan.time_scale, report=emit)
    sandbox.build()
    plan.resolve(sandbox.outputs)  # ParamsError here: nothing started, no bundle written

    bundle = Bundle(outputs_dir or repo_root() / "outputs", plan.profile)
    manifest = _new_manifest(plan, bundle)
    manifest.notebooks = [NotebookEntry(name=notebook.name) for notebook in plan.notebooks]
    bundle.write_manifest(manifest)
    emit(f"run {bundle.run_id}: {len(plan.notebooks)} notebook(s), evidence in {bundle.path}")
    started = time.monotonic()
    secrets: frozenset[str] = frozenset()
    try:
        with _sigterm_as_interrupt():
            try:
                sandbox.start()
                secrets = _secrets_to_scrub(plan, sandbox.secrets)
                manifest.sandbox = {
                    "services": list(sandbox.names),
                    "outputs": sandbox.outputs,
                    "pids": dict(sandbox.pids),
                }
                _run_notebooks(plan, bundle, manifest, sandbox.secrets, secrets, emit, kernel_name)
                _settle(manifest)
            except KeyboardInterrupt:
                manifest.status, manifest.reason = "interrupted", "interrupted by Ctrl-C or SIGTERM"
                emit("run interrupted: stopping the sandbox and sealing the bundle")
            except SandboxError as error:
                manifest.status, manifest.reason = "failed", f"sandbox: {error}"
                emit(f"sandbox failed: {error}")
            finally:
                sandbox.stop()
    finally:
        secrets = secrets or _secrets_to_scrub(plan, sandbox.secrets)
        _seal(bundle, manifest, sandbox, secrets, started)
        sandbox.cleanup()
    exit_code = {"passed": 0, "interrupted": 130}.get(manifest.status, 1)
    manifest.exit_status = exit_code
    bundle.write_manifest(manifest)
    _print_summary(manifest, bundle, emit)
    return RunOutcome(exit_code=exit_code, bundle=bundle.path, manifest=manifest)


def _run_notebooks(
    plan: RunPlan,
    bundle: Bundle,
    manifest: RunManifest,
    sandbox_env: dict[str, str],
    secrets: frozenset[str],
    emit: Emit,
    kernel_name: str,
) -> None:
    for index, notebook in enumerate(plan.notebooks):
        out_dir = bundle.notebook_dir(notebook.name)
        emit(f"▶ {notebook.name} started")
        env = {**sandbox_env, EVIDENCE_DIR_ENV: str(out_dir), RUN_ID_ENV: bundle.run_id}
        try:
            entry = execute_notebook(
                notebook,
                out_dir,
                cell_timeout_s=plan.cell_timeout_s,
                env=env,
                secrets=secrets,
                emit=emit,
                kernel_name=kernel_name,
            )
        except KeyboardInterrupt:
            manifest.notebooks[index] = NotebookEntry(
                name=notebook.name, status="interrupted", reason="run interrupted while this notebook ran"
            )
            raise
        manifest.notebooks[index] = entry
        bundle.write_manifest(manifest)
        emit(f"■ {_summary_line(entry)}")


def _settle(manifest: RunManifest) -> None:
    failed = [entry.name for entry in manifest.notebooks if entry.status != "passed"]
    manifest.status = "failed" if failed else "passed"
    manifest.reason = f"not passed: {', '.join(failed)}" if failed else ""


def _seal(bundle: Bundle, manifest: RunManifest, sandbox: Sandbox, secrets: frozenset[str], started: float) -> None:
    """Copy sandbox logs, scrub secrets, hash every file, write manifest and index, link latest."""
    if sandbox.logs_dir.exists():
        shutil.copytree(sandbox.logs_dir, bundle.path / "sandbox-logs", dirs_exist_ok=True)
    scrubbed = scrub_tree(bundle.path, secrets)
    manifest.secret_scan = {"values_checked": len(secrets), "files_scrubbed": scrubbed}
    manifest.ended_at = datetime.now(UTC).isoformat(timespec="seconds")
    manifest.duration_s = round(time.monotonic() - started, 3)
    files = bundle.hash_files()  # each file hashed once; notebook entries take their share
    for entry in manifest.notebooks:
        entry.files = {path: digest for path, digest in files.items() if path.startswith(f"{entry.name}/")}
    checks = {entry.name: _load_checks(bundle.path / entry.name / RESULTS_FILE) for entry in manifest.notebooks}
    index = bundle.path / "index.html"
    render_index(manifest, checks, index)
    manifest.files = {**files, index.name: sha256_file(index)}
    bundle.write_manifest(manifest)
    bundle.link_latest()


def _load_checks(path: Path) -> list[dict[str, Any]]:
    from ..checks import load_results

    results = load_results(path)
    return [check.model_dump(mode="json") for check in results.checks] if results else []


def _new_manifest(plan: RunPlan, bundle: Bundle) -> RunManifest:
    facts = environment_facts(repo_root())
    return RunManifest(
        run_id=bundle.run_id,
        profile=plan.profile,
        params_file=str(plan.file),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        git=facts["git"],
        host=facts["host"],
        packages=facts["packages"],
        params={
            "cell_timeout_s": plan.cell_timeout_s,
            "time_scale": plan.time_scale,
            "sandbox": plan.sandbox,
            "overrides": plan.overrides,
            "notebooks": plan.params_as_passed(),
        },
    )


def _secrets_to_scrub(plan: RunPlan, sandbox_secrets: dict[str, str]) -> frozenset[str]:
    """Sandbox credentials, the values of every env var a param names, and secret-looking env vars."""
    named = {
        value
        for notebook in plan.notebooks
        for key, value in notebook.parameters.items()
        if key.endswith("_env") and isinstance(value, str)
    }
    named |= {name for name in os.environ if _SECRET_ENV_NAME.search(name)}
    sandbox_values = {value for value in sandbox_secrets.values() if len(value) >= MIN_SECRET_LENGTH}
    return frozenset(secret_values_in_env(named) | sandbox_values)


def _summary_line(entry: NotebookEntry) -> str:
    counts = entry.checks
    duration = f"{entry.duration_s:.1f}s" if entry.duration_s is not None else "-"
    line = (
        f"{entry.status.upper():11} {entry.name:24} checks: {counts.get('pass', 0)} passed, "
        f"{counts.get('fail', 0) + counts.get('error', 0)} failed, {counts.get('skip', 0)} skipped  {duration}"
    )
    return line + (f"  ({entry.reason})" if entry.status != "passed" and entry.reason else "")


def _print_summary(manifest: RunManifest, bundle: Bundle, emit: Emit) -> None:
    emit("")
    emit(f"Run {manifest.run_id}: {manifest.status.upper()}" + (f" — {manifest.reason}" if manifest.reason else ""))
    for entry in manifest.notebooks:
        emit("  " + _summary_line(entry))
    emit(f"Evidence bundle: {bundle.path}")
    emit(f"Open: {bundle.path / 'index.html'}")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
