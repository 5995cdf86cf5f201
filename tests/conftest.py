"""Shared fixtures: params files in tmp dirs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml


@pytest.fixture
def write_params(tmp_path: Path) -> Callable[..., Path]:
    """Write a params YAML file into tmp_path and return its path."""

    def write(document: dict[str, Any], name: str = "params.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    return write
