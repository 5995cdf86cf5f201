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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test` runs two workers), keep each capability's tests together:
    one xdist group per folder under tests/, so session-scoped sandboxes are started once per
    group and tests that must run last in their folder (e.g. a sandbox's no-orphans check) do."""
    root = Path(__file__).parent
    for item in items:
        relative = Path(str(item.path)).relative_to(root)
        group = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        item.add_marker(pytest.mark.xdist_group(group))
