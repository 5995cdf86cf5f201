"""Run a coroutine from synchronous code, including from inside a running event loop (ipykernel)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")


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


def synchronous(function: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """A blocking twin of an async function (same signature and docs) built on `run_sync`."""

    @functools.wraps(function)
    def blocking(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_sync(function(*args, **kwargs))

    name = function.__name__.removesuffix("_async")
    blocking.__name__, blocking.__qualname__ = name, name
    blocking.__doc__ = (
        f"Blocking `{function.__name__}` (safe inside a running notebook kernel).\n\n{function.__doc__ or ''}"
    )
    return blocking
