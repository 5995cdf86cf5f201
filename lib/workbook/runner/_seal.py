"""Sealing a bundle: the last step of every run, whatever happened before it.

Copy the sandbox logs, scrub secrets from every file, fail any notebook whose evidence held a
secret, write the report (summary.json, junit.xml, history.json, plots, index.html), hash every
file, write the manifest, sign it when a signing key is available, and point `latest` at the
bundle. Each step takes values and returns new ones.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..checks import NotebookResults
from ..credentials import redact
from ..evidence import Bundle, NotebookEntry, RunManifest, load_bundles, scrub_tree, sign_manifest
from ..report import Report, write_report

# If this variable is set, bundles are signed with the key it holds (`--sign-key-env` names another).
DEFAULT_SIGNING_KEY_ENV = "WORKBOOK_SIGNING_KEY"


@dataclass(frozen=True)
class Sealed:
    manifest: RunManifest
    report: Report


def seal(
    bundle: Bundle,
    manifest: RunManifest,
    *,
    logs_dir: Path | None,
    secrets: frozenset[str],
    duration_s: float,
    signing_key_env: str | None = None,
) -> Sealed:
    """Return the sealed manifest (also written to the bundle) and the report written with it."""
    if logs_dir is not None and logs_dir.exists():
        shutil.copytree(logs_dir, bundle.path / "sandbox-logs", dirs_exist_ok=True)
    scrubbed = scrub_tree(bundle.path, secrets)
    notebooks = [_fail_if_secrets_leaked(entry, scrubbed, secrets) for entry in manifest.notebooks]
    notebook_files = bundle.hash_files()
    notebooks = [
        entry.model_copy(update={"files": {p: d for p, d in notebook_files.items() if p.startswith(f"{entry.name}/")}})
        for entry in notebooks
    ]
    sealed = manifest.model_copy(
        update={
            "notebooks": notebooks,
            "ended_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "duration_s": round(duration_s, 3),
        }
    )
    if sealed.status == "passed":  # a leak found while scrubbing can still fail a notebook
        sealed = settle_run(sealed)
    sealed = sealed.model_copy(update={"exit_status": exit_code_for(sealed.status)})
    results = {entry.name: entry.results for entry in notebooks if entry.results is not None}
    report = write_report(bundle.path, sealed, results, earlier=load_bundles(bundle.outputs_dir))
    # The report repeats reasons and details: scrub once more, so nothing it quotes can leak.
    scrubbed += [path for path in scrub_tree(bundle.path, secrets) if path not in scrubbed]
    sealed = sealed.model_copy(
        update={
            "secret_scan": {"values_checked": len(secrets), "files_scrubbed": scrubbed},
            "files": bundle.hash_files(),
        }
    )
    manifest_path = bundle.write_manifest(sealed)
    manifest_path.write_text(redact(manifest_path.read_text(), secrets))
    key_env = signing_key_env or DEFAULT_SIGNING_KEY_ENV
    if os.environ.get(key_env):
        sign_manifest(bundle.path, key_env)
    bundle.link_latest()
    return Sealed(manifest=sealed, report=report)


def settle_run(manifest: RunManifest) -> RunManifest:
    """The run passes only if every notebook passed."""
    failed = [entry.name for entry in manifest.notebooks if entry.status != "passed"]
    return manifest.model_copy(
        update={
            "status": "failed" if failed else "passed",
            "reason": f"not passed: {', '.join(failed)}" if failed else "",
        }
    )


def exit_code_for(status: str) -> int:
    return {"passed": 0, "interrupted": 130}.get(status, 1)


def _fail_if_secrets_leaked(entry: NotebookEntry, scrubbed: list[str], secrets: frozenset[str]) -> NotebookEntry:
    """A secret in a notebook's evidence means a target (or our code) exposed it: that notebook fails."""
    leaked = [path for path in scrubbed if path.startswith(f"{entry.name}/")]
    update: dict[str, object] = {"results": _redacted(entry.results, secrets)}
    if leaked:
        why = f"secret values had to be scrubbed from its evidence: {', '.join(leaked)}"
        update.update(
            status="failed" if entry.status == "passed" else entry.status,
            reason=f"{entry.reason}; {why}" if entry.reason else why,
        )
    return entry.model_copy(update=update)


def _redacted(results: NotebookResults | None, secrets: frozenset[str]) -> NotebookResults | None:
    if results is None or not secrets:
        return results
    return NotebookResults.model_validate_json(redact(results.model_dump_json(), secrets))
