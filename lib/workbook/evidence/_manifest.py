"""manifest.json: the machine-readable record of a run."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..checks import NotebookResults


class NotebookEntry(BaseModel):
    name: str
    # For a matrix run: the notebook it ran and the values this entry took.
    notebook: str = ""
    matrix: dict[str, Any] = Field(default_factory=dict)
    status: str = "not_run"  # passed | failed | error | timeout | kernel_died | interrupted | not_run
    reason: str = ""
    exception_class: str | None = None
    exception_message: str | None = None
    exit_status: int | None = None
    started_at: str | None = None
    ended_at: str | None = None
    duration_s: float | None = None
    checks: dict[str, int] = Field(default_factory=dict)
    # Errored checks per reason class (unreachable, auth, dialect, setup, internal).
    could_not_check: dict[str, int] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict)  # relative path -> sha256
    # The notebook's final results, carried from execution to sealing (results.json holds them on disk).
    results: NotebookResults | None = Field(default=None, exclude=True)


class RunManifest(BaseModel):
    run_id: str
    profile: str
    params_file: str
    status: str = "running"  # running | passed | failed | interrupted
    reason: str = ""
    started_at: str
    ended_at: str | None = None
    duration_s: float | None = None
    exit_status: int | None = None
    git: dict[str, Any] = Field(default_factory=dict)
    host: dict[str, Any] = Field(default_factory=dict)
    python: str = Field(default_factory=lambda: sys.version.split()[0])
    packages: dict[str, str] = Field(default_factory=dict)
    sandbox: dict[str, Any] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    notebooks: list[NotebookEntry] = Field(default_factory=list)
    files: dict[str, str] = Field(default_factory=dict)  # every file in the bundle -> sha256
    secret_scan: dict[str, Any] = Field(default_factory=dict)
    # Fault switches turned on at sandbox start (`--fault`), per service.
    faults: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Who ran it, so a reader can tell a run that is still going from one whose runner was killed.
    runner: dict[str, Any] = Field(default_factory=dict)


def environment_facts(repo: Path) -> dict[str, Any]:
    """git commit/dirty, host and package versions, gathered once per run."""
    return {"git": _git_facts(repo), "host": _host_facts(), "packages": _package_versions()}


def _git_facts(repo: Path) -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
    except (subprocess.CalledProcessError, OSError, subprocess.TimeoutExpired):
        return {"commit": None, "dirty": None, "note": "not a git checkout or no commits"}
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": commit, "dirty": dirty, "branch": git("rev-parse", "--abbrev-ref", "HEAD")}


def _host_facts() -> dict[str, Any]:
    import psutil

    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
    }


def _package_versions() -> dict[str, str]:
    """Installed versions of the workbook's declared dependencies (and the workbook itself)."""
    versions: dict[str, str] = {}
    try:
        versions["workbook"] = importlib.metadata.version("workbook")
        requirements = importlib.metadata.requires("workbook") or []
    except importlib.metadata.PackageNotFoundError:
        return versions
    for requirement in requirements:
        if "extra ==" in requirement:
            continue
        name = requirement.split("==")[0].split(">")[0].split("<")[0].split(";")[0].strip()
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "missing"
    return dict(sorted(versions.items()))
