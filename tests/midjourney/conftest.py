"""Fixtures for the midjourney tests: recorded-shape Discord JSON and a sleep recorder."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _load(name: str) -> Any:
    return copy.deepcopy(json.loads((FIXTURES / name).read_text()))


@pytest.fixture
def load() -> Callable[[str], Any]:
    """`load("final_grid.json")`: a fresh copy of a fixture file."""
    return _load


class FakeSleep:
    """Records requested sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()
