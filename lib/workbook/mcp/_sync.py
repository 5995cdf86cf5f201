"""Blocking twins of the async MCP entry points, built on the workbook's one sync bridge."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from ..runtime import run_sync

T = TypeVar("T")
P = ParamSpec("P")


def synchronous(function: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """A blocking twin of an async function (same signature and docs) built on `run_sync`."""

    @functools.wraps(function)
    def blocking(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_sync(function(*args, **kwargs), what=function.__name__)

    name = function.__name__.removesuffix("_async")
    blocking.__name__, blocking.__qualname__ = name, name
    blocking.__doc__ = (
        f"Blocking `{function.__name__}` (safe inside a running notebook kernel).\n\n{function.__doc__ or ''}"
    )
    return blocking
