"""The code stays ruff- and mypy-clean: CI runs `make test`, so the linters run with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wb_testing import REPO

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "lib", "tests", "scripts"], ["ruff", "format", "--check", "lib", "tests", "scripts"], ["mypy"]],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_linter_is_clean(command: list[str]) -> None:
    result = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
