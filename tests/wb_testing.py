"""Helpers shared by test modules (importable as `wb_testing`; pytest puts tests/ on sys.path)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from workbook.runtime import EVIDENCE_DIR_ENV

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_NOTEBOOKS = FIXTURES / "notebooks"
REPO = Path(__file__).resolve().parents[1]


def live_pids(pids: list[int]) -> list[int]:
    """The pids in `pids` that are still running (zombies count as gone)."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def run_notebook(name: str, parameters: dict[str, Any], workdir: Path) -> dict[str, dict[str, Any]]:
    """Execute notebooks/<name>.ipynb headless with papermill; return its results.json checks by id.

    The executed notebook lands in `workdir/<name>.ipynb` and its evidence in `workdir/evidence/`.
    """
    from workbook.runner import execute_with_papermill

    evidence = workdir / "evidence"
    workdir.mkdir(parents=True, exist_ok=True)
    execute_with_papermill(
        REPO / "notebooks" / f"{name}.ipynb",
        workdir / f"{name}.ipynb",
        parameters={"interactive": False, **parameters},
        env={EVIDENCE_DIR_ENV: str(evidence)},  # a `with Sandbox(...)` block's credentials are inherited
        cell_timeout_s=None,
    )
    results = json.loads((evidence / "results.json").read_text())
    return {check["id"]: check for check in results["checks"]}


@contextmanager
def script_server(script: Path) -> Iterator[list[str]]:
    """Run a test server script that prints one line `PORT <n> ...` once listening and exits when
    its stdin closes (no orphan if pytest dies); yields that line's words."""
    process = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("PORT "), f"{script.name} did not start: {line!r}"
        yield line.split()
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
