"""Sealing a bundle: the last step of every run, whatever happened before it.

Copy the sandbox logs, scrub secrets from every file, fail any notebook whose evidence held a
secret, hash every file, render index.html, write the manifest and point `latest` at the bundle.
Each step takes values and returns new ones; the manifest is written once more at the end.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from .._secrets import redact
from ..checks import NotebookResults
from ..evidence import Bundle, NotebookEntry, RunManifest, render_index, scrub_tree, sha256_file


def seal(
    bundle: Bundle,
    manifest: RunManifest,
    *,
    logs_dir: Path | None,
    secrets: frozenset[str],
    duration_s: float,
) -> RunManifest:
    """Return the sealed manifest (also written to the bundle)."""
    if logs_dir is not None and logs_dir.exists():
        shutil.copytree(logs_dir, bundle.path / "sandbox-logs", dirs_exist_ok=True)
    scrubbed = scrub_tree(bundle.path, secrets)
    notebooks = [_fail_if_secrets_leaked(entry, scrubbed, secrets) for entry in manifest.notebooks]
    files = bundle.hash_files()  # each file hashed once; notebook entries take their share
    notebooks = [
        entry.model_copy(update={"files": {p: d for p, d in files.items() if p.startswith(f"{entry.name}/")}})
        for entry in notebooks
    ]
    sealed = manifest.model_copy(
        update={
            "notebooks": notebooks,
            "secret_scan": {"values_checked": len(secrets), "files_scrubbed": scrubbed},
            "ended_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "duration_s": round(duration_s, 3),
        }
    )
    if sealed.status == "passed":  # a leak found while scrubbing can still fail a notebook
        sealed = settle_run(sealed)
    sealed = sealed.model_copy(update={"exit_status": exit_code_for(sealed.status)})
    index = bundle.path / "index.html"
    render_index(sealed, {entry.name: _check_rows(entry) for entry in notebooks}, index)
    sealed = sealed.model_copy(update={"files": {**files, index.name: sha256_file(index)}})
    bundle.write_manifest(sealed)
    bundle.link_latest()
    return sealed


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
    results = _redacted(entry.results, secrets)
    update: dict[str, object] = {"results": results}
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


def _check_rows(entry: NotebookEntry) -> list[dict[str, object]]:
    return [check.model_dump(mode="json") for check in entry.results.checks] if entry.results else []
