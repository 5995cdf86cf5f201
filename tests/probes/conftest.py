"""Fixtures for the probe tests: a local target server subprocess on a free 127.0.0.1 port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from wb_testing import script_server

SERVER = Path(__file__).with_name("target_server.py")


@pytest.fixture(scope="session")
def target_server() -> Iterator[tuple[str, str]]:
    """(main URL, URL of the listener that closes every connection after answering)."""
    with script_server(SERVER) as words:
        yield f"http://127.0.0.1:{int(words[1])}", f"http://127.0.0.1:{int(words[3])}"


@pytest.fixture
def target_url(target_server: tuple[str, str]) -> str:
    return target_server[0]


@pytest.fixture
def silent_close_url(target_server: tuple[str, str]) -> str:
    return target_server[1] + "/health"


@pytest.fixture
def stall(target_url: str) -> Callable[[float, float], None]:
    """`stall(start_in, duration)`: requests reaching the target in that window wait for its end."""

    def set_stall(start_in: float, duration: float) -> None:
        httpx.post(f"{target_url}/admin/stall", params={"start_in": start_in, "for": duration}).raise_for_status()

    return set_stall
