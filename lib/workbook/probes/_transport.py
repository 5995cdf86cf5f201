"""The load path's transport interface: one request at a time per caller, an `Outcome` per request.

The engine only sees this interface, so it is tested with fakes and the transport is chosen by
measurement (`_transports` holds the registry; each transport lives in its own module).
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from ._config import HttpTarget


class Outcome(NamedTuple):
    """What one request produced: an HTTP status, or an error kind (never both)."""

    status: int | None
    nbytes: int = 0
    error: str | None = None


class Transport(Protocol):
    """Sends one request at a time per caller; `open` sizes the connection pool."""

    name: str

    async def open(self, connections: int, timeout_s: float) -> None: ...

    async def send(self, target: HttpTarget) -> Outcome: ...

    async def close(self) -> None: ...


def os_error_kind(error: OSError) -> str:
    return f"os:{errno.errorcode.get(error.errno or 0, type(error).__name__)}"


TransportFactory = Callable[[], Transport]
