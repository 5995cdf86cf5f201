"""A whole run: sandbox up, every notebook, sandbox down, bundle sealed — in that order, always."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from ..credentials import MIN_SECRET_LENGTH, env_names_in, looks_secret, secret_values_in_env
from ..errors import SandboxError
from ..evidence import Bundle, NotebookEntry, RunManifest, environment_facts
from ..params import RunPlan
from ..report import summary_text
from ..runtime import EVIDENCE_DIR_ENV, RUN_ID_ENV, repo_root
from ..sandbox import Sandbox
from ._execute import Executor, KernelContext, execute_notebook
from ._kernel import KERNEL_NAME
from ._schedule import Job, Schedule, sequential
from ._seal import exit_code_for, seal, settle_run

Emit = Callable[[str], None]


@dataclass(frozen=True)
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
    execute: Executor = execute_notebook,
    schedule: Schedule = sequential,
    signing_key_env: str | None = None,
) -> RunOutcome:
    """Execute `plan`. Params problems raise ParamsError before anything starts; everything after
    that is recorded in the bundle and reflected in the exit code (0 only if every check passed).

    `execute` runs one notebook and returns its entry (the default starts a papermill kernel);
    tests pass a fake to exercise sealing, classification and scrubbing without a kernel.
    `schedule` decides where and in which order (default: one after another here;
    `DaskSchedule(workers=N)` or `DaskSchedule(scheduler=URL)` runs them as Dask tasks).
    """
    sandbox = Sandbox(plan.sandbox, time_scale=plan.time_scale, faults=plan.faults, report=emit)
    sandbox.build()
    resolved = plan.resolved(sandbox.outputs)  # ParamsError here: nothing started, no bundle written

    bundle = Bundle(outputs_dir or repo_root() / "outputs", plan.profile)
    manifest = _new_manifest(plan, bundle)
    bundle.write_manifest(manifest)
    emit(f"run {bundle.run_id}: {len(plan.notebooks)} notebook(s), evidence in {bundle.path}")
    started = time.monotonic()
    secrets = _secrets_to_scrub(resolved, sandbox.secrets)
    try:
        with _sigterm_as_interrupt():
            try:
                sandbox.start()
                manifest = manifest.model_copy(
                    update={
                        "sandbox": {
                            "services": list(sandbox.names),
                            "outputs": sandbox.outputs,
                            "pids": dict(sandbox.pids),
                        }
                    }
                )
                bundle.write_manifest(manifest)
                context = KernelContext(
                    env=dict(sandbox.secrets),
                    secrets=secrets,
                    cell_timeout_s=plan.cell_timeout_s,
                    emit=emit,
                    kernel_name=kernel_name,
                )
                manifest, interrupted = _run_notebooks(resolved, bundle, manifest, context, execute, schedule)
                if interrupted:
                    raise KeyboardInterrupt
                manifest = settle_run(manifest)
            except KeyboardInterrupt:
                manifest = _marked(manifest, "interrupted", "interrupted by Ctrl-C or SIGTERM")
                emit("run interrupted: stopping the sandbox and sealing the bundle")
            except SandboxError as error:
                manifest = _marked(manifest, "failed", f"sandbox: {error}")
                emit(f"sandbox failed: {error}")
            finally:
                sandbox.stop()
    finally:
        sealed = seal(
            bundle,
            manifest,
            logs_dir=sandbox.logs_dir,
            secrets=secrets,
            duration_s=time.monotonic() - started,
            signing_key_env=signing_key_env,
        )
        sandbox.cleanup()
    _print_summary(sealed.manifest, summary_text(sealed.report.summary), bundle, emit)
    return RunOutcome(exit_code=exit_code_for(sealed.manifest.status), bundle=bundle.path, manifest=sealed.manifest)


def _run_notebooks(
    plan: RunPlan,
    bundle: Bundle,
    manifest: RunManifest,
    context: KernelContext,
    execute: Executor,
    schedule: Schedule,
) -> tuple[RunManifest, bool]:
    """Run every notebook through `schedule`; returns the manifest with every entry so far and
    whether Ctrl-C stopped it."""
    jobs = [
        Job(
            index=index,
            plan=notebook,
            out_dir=bundle.notebook_dir(notebook.name),
            context=replace(
                context,
                env={
                    **context.env,
                    EVIDENCE_DIR_ENV: str(bundle.path / notebook.name),
                    RUN_ID_ENV: bundle.run_id,
                },
            ),
        )
        for index, notebook in enumerate(plan.notebooks)
    ]
    try:
        for job, entry in schedule(jobs, execute):
            manifest = _with_entry(manifest, job.index, entry)
            bundle.write_manifest(manifest)
            context.emit(f"■ {summary_line(entry)}")
    except KeyboardInterrupt:
        return manifest, True
    return manifest, False


def _with_entry(manifest: RunManifest, index: int, entry: NotebookEntry) -> RunManifest:
    notebooks = list(manifest.notebooks)
    notebooks[index] = entry
    return manifest.model_copy(update={"notebooks": notebooks})


def _marked(manifest: RunManifest, status: str, reason: str) -> RunManifest:
    return manifest.model_copy(update={"status": status, "reason": reason})


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
            "sandbox": list(plan.sandbox),
            "overrides": dict(plan.overrides),
            "notebooks": plan.params_as_passed(),
        },
        faults={service: dict(switches) for service, switches in plan.faults.items()},
        runner={"pid": os.getpid(), "host": socket.gethostname()},
        notebooks=[
            NotebookEntry(name=notebook.name, notebook=notebook.notebook, matrix=dict(notebook.matrix))
            for notebook in plan.notebooks
        ],
    )


def _secrets_to_scrub(plan: RunPlan, sandbox_secrets: Mapping[str, str]) -> frozenset[str]:
    """Sandbox credentials, the values of every env var a param names, and secret-looking env vars."""
    named = {name for notebook in plan.notebooks for name in env_names_in(notebook.parameters)}
    named |= {name for name in os.environ if looks_secret(name)}
    sandbox_values = {value for value in sandbox_secrets.values() if len(value) >= MIN_SECRET_LENGTH}
    return frozenset(secret_values_in_env(named) | sandbox_values)


def summary_line(entry: NotebookEntry) -> str:
    counts = entry.checks
    duration = f"{entry.duration_s:.1f}s" if entry.duration_s is not None else "-"
    line = (
        f"{entry.status.upper():11} {entry.name:24} checks: {counts.get('pass', 0)} passed, "
        f"{counts.get('fail', 0)} failed, {counts.get('error', 0)} could not check{_reasons(entry.could_not_check)}, "
        f"{counts.get('skip', 0)} skipped  {duration}"
    )
    return line + (f"  ({entry.reason})" if entry.status != "passed" and entry.reason else "")


def _reasons(counts: Mapping[str, int]) -> str:
    """` (auth 3, dialect 1)`: the could-not-check counts by reason class, if any."""
    found = [(reason, value) for reason, value in counts.items() if value]
    return f" ({', '.join(f'{reason} {value}' for reason, value in found)})" if found else ""


def _print_summary(manifest: RunManifest, verdict: str, bundle: Bundle, emit: Emit) -> None:
    emit("")
    emit(f"Run {manifest.run_id}: {verdict}" + (f" — {manifest.reason}" if manifest.reason else ""))
    for entry in manifest.notebooks:
        emit("  " + summary_line(entry))
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
