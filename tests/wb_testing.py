"""Helpers shared by test modules (importable as `wb_testing`; pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

import psutil

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
