"""Fixtures for the midjourney tests: recorded-shape Discord JSON and a sleep recorder."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from workbook.sandbox import Sandbox

from ._scenario import TIME_SCALE

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


@pytest.fixture(scope="module")
def emulator() -> Iterator[dict[str, str]]:
    with Sandbox(["discord"], time_scale=TIME_SCALE) as sandbox:
        yield dict(sandbox.outputs["discord"])


@pytest.fixture
def discord(emulator: dict[str, str]) -> dict[str, str]:
    httpx.post(emulator["admin_url"] + "/reset", timeout=5).raise_for_status()
    # Small images keep rendering cheap on a loaded machine; sizes and cells are still verified.
    httpx.put(emulator["admin_url"] + "/settings", json={"image_base": 256}, timeout=5).raise_for_status()
    return emulator
