"""One sandbox per test module: the brain, the character and story services and the task pipeline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbook.sandbox import Sandbox

from ._support import SERVICES


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SERVICES, time_scale=1.0) as running:
        yield running
