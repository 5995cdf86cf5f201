"""Run a coroutine from synchronous code, including from inside a running event loop (ipykernel)."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` here, or in a worker thread when this thread already runs a loop.

    ipykernel runs its own loop on the kernel thread, where `asyncio.run` raises; a private loop
    in a worker thread also keeps the probe's timings free of the kernel's own callbacks.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbook-mcp") as pool:
        return pool.submit(asyncio.run, coroutine).result()
