"""The one bridge from notebook cells (plain calls) to the workbook's async clients.

A Jupyter kernel already runs an event loop on its main thread, where `asyncio.run` raises, and
sharing that loop would mix a probe's timings with the kernel's own callbacks. So coroutines run
on a private loop in a daemon thread. Every caller gets the same behaviour on the two ways a
wait can end early: a timeout cancels the coroutine and raises `SyncTimeoutError`; Ctrl-C (or a
kernel interrupt) cancels it, waits briefly for its cleanup, and re-raises KeyboardInterrupt.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from ..errors import SyncTimeoutError

T = TypeVar("T")

# How long a cancelled coroutine may take to run its cleanup (close sockets, finish a frame).
CANCEL_GRACE_S = 5.0


class LoopThread:
    """A private event loop on a daemon thread, kept across calls (for clients that hold connections)."""

    def __init__(self, name: str = "workbook-loop") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def call(self, coroutine: Coroutine[Any, Any, T], *, timeout_s: float | None = None, what: str = "") -> T:
        """Run `coroutine` on the loop and wait for it (at most `timeout_s` seconds)."""
        if self._closed:
            coroutine.close()
            raise RuntimeError("this LoopThread is closed")
        label = what or getattr(coroutine, "__qualname__", "the call")
        running: dict[str, asyncio.Task[Any]] = {}

        async def supervised() -> T:
            running["task"] = asyncio.current_task()  # type: ignore[assignment]
            deadline = asyncio.timeout(timeout_s)
            try:
                async with deadline:
                    return await coroutine
            except TimeoutError:
                if deadline.expired():
                    raise _Expired from None
                raise

        future = asyncio.run_coroutine_threadsafe(supervised(), self._loop)
        try:
            return future.result()
        except _Expired:
            raise SyncTimeoutError(f"{label} did not finish within {timeout_s:g} s and was cancelled") from None
        except BaseException:
            # Ctrl-C or a kernel interrupt while waiting: cancel, and let the coroutine clean up first.
            task = running.get("task")
            if task is not None:
                self._loop.call_soon_threadsafe(task.cancel)
            else:
                future.cancel()
            with contextlib.suppress(BaseException):
                future.result(CANCEL_GRACE_S)
            raise

    def close(self) -> None:
        """Cancel whatever still runs on the loop, wait for it to finish, stop the thread."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(BaseException):
            asyncio.run_coroutine_threadsafe(_cancel_remaining(), self._loop).result(CANCEL_GRACE_S + 1)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CANCEL_GRACE_S)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> LoopThread:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def run_sync(coroutine: Coroutine[Any, Any, T], *, timeout_s: float | None = None, what: str = "") -> T:
    """Run one coroutine to completion from synchronous code (a notebook cell, a script, a test)."""
    with LoopThread(name="workbook-call") as loop:
        return loop.call(coroutine, timeout_s=timeout_s, what=what)


class _Expired(Exception):
    """The bridge's own deadline passed (as opposed to a TimeoutError raised by the coroutine)."""


async def _cancel_remaining() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=CANCEL_GRACE_S)
    await asyncio.get_running_loop().shutdown_asyncgens()
