"""One sandbox for the folder: Redis, the brain (its real model), the task service, the optional
character and story stand-ins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbook.sandbox import Sandbox

from ._support import SERVICES


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SERVICES, time_scale=10.0) as running:
        yield running
