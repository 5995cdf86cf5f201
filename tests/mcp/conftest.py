"""Fixtures: the brain stand-in as a sandbox subprocess, and variants served in-process for
behaviours the stand-in does not have (silent on malformed input, leaky projects, bad ranking)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from wb_testing import live_pids
from workbook.sandbox import Sandbox, ServiceContext, clear_faults
from workbook.sandbox.brain import faults as brain_faults
from workbook.sandbox.brain._embeddings import HashingEmbedder
from workbook.sandbox.brain._protocol import BrainApp, Session
from workbook.sandbox.brain._server import run
from workbook.sandbox.brain._store import CharacterStore

HASHING = {"WORKBOOK_BRAIN_EMBEDDINGS": "hashing"}


@pytest.fixture(scope="package")
def brain_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    # Given to the stand-in only: an env var set in this process would outlive the fixture's scope.
    with Sandbox(["brain"], state_dir=tmp_path_factory.mktemp("brain"), env=HASHING) as sandbox:
        yield dict(sandbox.outputs["brain"])
        pids = sandbox.all_pids()
    assert live_pids(pids) == []


@pytest.fixture
def brain(brain_sandbox: dict[str, str]) -> Iterator[dict[str, str]]:
    """The shared stand-in's outputs (ws_url, admin_url, health_url); all fault switches off and the
    shape options at their defaults around the test."""
    reset(brain_sandbox["admin_url"])
    yield brain_sandbox
    reset(brain_sandbox["admin_url"])


def reset(admin_url: str) -> None:
    clear_faults(admin_url)
    httpx.delete(admin_url + "/_sandbox/options", timeout=5).raise_for_status()


@contextmanager
def serve_in_thread(
    store: CharacterStore | None = None, session_factory: Callable[[BrainApp], Session] = Session
) -> Iterator[str]:
    """A brain server on a private event loop in a worker thread; yields its ws_url."""
    app = BrainApp(HashingEmbedder(), brain_faults({}), store)
    sock, admin_sock = ServiceContext.listening_socket(), ServiceContext.listening_socket()
    port = sock.getsockname()[1]
    started = threading.Event()
    state: dict[str, object] = {}

    async def main() -> None:
        ready, stop = asyncio.Event(), asyncio.Event()
        state["loop"], state["stop"] = asyncio.get_running_loop(), stop
        server = asyncio.create_task(
            run(
                app,
                sock=sock,
                admin_sock=admin_sock,
                ready=ready,
                stop=stop,
                session_factory=session_factory,
            )
        )
        waiter = asyncio.create_task(ready.wait())
        await asyncio.wait({server, waiter}, return_when=asyncio.FIRST_COMPLETED)
        started.set()
        waiter.cancel()
        await server

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="brain-test-server")
    thread.start()
    try:
        assert started.wait(10), "in-thread brain server did not start"
        yield f"ws://127.0.0.1:{port}/mcp"
    finally:
        loop, stop = state["loop"], state["stop"]
        assert isinstance(loop, asyncio.AbstractEventLoop) and isinstance(stop, asyncio.Event)
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        assert not thread.is_alive()


@pytest.fixture
def in_thread_brain() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """`with in_thread_brain(store=..., session_factory=...) as ws_url:` (see serve_in_thread)."""
    return serve_in_thread


@pytest.fixture
def in_thread_echo() -> Iterator[str]:
    """A WebSocket server that speaks neither dialect: every frame is answered `{"echo": <frame>}`."""
    from websockets.asyncio.server import ServerConnection, serve

    async def echo(connection: ServerConnection) -> None:
        async for frame in connection:
            await connection.send(json.dumps({"echo": str(frame)[:50]}))

    sock = ServiceContext.listening_socket()
    port = sock.getsockname()[1]
    state: dict[str, object] = {}
    started = threading.Event()

    async def main() -> None:
        stop = asyncio.Event()
        state["loop"], state["stop"] = asyncio.get_running_loop(), stop
        async with serve(echo, sock=sock):
            started.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="echo-server")
    thread.start()
    try:
        assert started.wait(10)
        yield f"ws://127.0.0.1:{port}/"
    finally:
        loop, stop = state["loop"], state["stop"]
        assert isinstance(loop, asyncio.AbstractEventLoop) and isinstance(stop, asyncio.Event)
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
