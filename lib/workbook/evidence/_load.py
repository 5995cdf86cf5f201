"""Reading a bundle back (from disk or an S3 archive) and telling what state it is really in.

A bundle's manifest says `running` until its runner seals it. A runner killed with SIGKILL never
does; such a bundle is `aborted` once the runner's pid is gone from the host that ran it. Readers
(index, history, verify) use `effective_status`, never the raw field.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from ..checks import RESULTS_FILE, NotebookResults, load_results
from ._bundle import MANIFEST_FILE
from ._manifest import RunManifest


@dataclass(frozen=True)
class LoadedBundle:
    """A bundle as read back: its manifest and each notebook's final results."""

    location: str
    manifest: RunManifest
    results: Mapping[str, NotebookResults] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return effective_status(self.manifest)


def effective_status(
    manifest: RunManifest,
    *,
    this_host: str | None = None,
    pid_alive: Callable[[int], bool] | None = None,
) -> str:
    """The manifest's status, except that a `running` bundle whose runner is gone is `aborted`
    (and `unsealed` when it was started on another host, where its pid cannot be checked)."""
    if manifest.status != "running":
        return manifest.status
    host, pid = manifest.runner.get("host"), manifest.runner.get("pid")
    if not host or not isinstance(pid, int):
        return "unsealed"
    if host != (this_host or socket.gethostname()):
        return "unsealed"
    return "running" if (pid_alive or _pid_alive)(pid) else "aborted"


def load_bundle(path: Path) -> LoadedBundle:
    """Read `path`/manifest.json and every notebook's results.json (missing results are skipped)."""
    manifest = RunManifest.model_validate_json((path / MANIFEST_FILE).read_text())
    results = {}
    for entry in manifest.notebooks:
        loaded = load_results(path / entry.name / RESULTS_FILE)
        if loaded is not None:
            results[entry.name] = loaded
    return LoadedBundle(location=str(path), manifest=manifest, results=results)


def load_bundles(outputs_dir: Path) -> list[LoadedBundle]:
    """Every readable bundle directly under `outputs_dir`, oldest first (unreadable ones are skipped)."""
    bundles = []
    for candidate in sorted(outputs_dir.iterdir()) if outputs_dir.is_dir() else []:
        if candidate.is_symlink() or not (candidate / MANIFEST_FILE).is_file():
            continue
        try:
            bundles.append(load_bundle(candidate))
        except (OSError, ValueError):
            continue
    return sorted(bundles, key=lambda bundle: (bundle.manifest.started_at, bundle.manifest.run_id))


def bundle_from_texts(location: str, manifest_text: str, results_texts: Mapping[str, str]) -> LoadedBundle:
    """A bundle from raw file texts (an archive reader fetched them); results keyed by notebook."""
    manifest = RunManifest.model_validate_json(manifest_text)
    results = {name: NotebookResults.model_validate(json.loads(text)) for name, text in results_texts.items()}
    return LoadedBundle(location=location, manifest=manifest, results=results)


def _pid_alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
