"""The CLI surface: --help everywhere, check-params on the committed params files."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wb_testing import REPO


@pytest.mark.parametrize(
    "args", [[], ["run"], ["check-params"], ["sandbox"], ["sandbox", "up"], ["sandbox", "down"], ["sandbox", "status"]]
)
def test_help(args: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "workbook", *args, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "usage:" in result.stdout


def test_committed_params_files_are_valid() -> None:
    files = sorted(str(path) for path in (REPO / "params").glob("*.yaml"))
    result = subprocess.run(
        [sys.executable, "-m", "workbook", "check-params", *files], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
