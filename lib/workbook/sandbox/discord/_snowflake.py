"""Discord snowflake ids: 64-bit integers whose top 42 bits are milliseconds since 2015-01-01 UTC.

Ids must be strictly increasing for messages created "now" (clients page history with
`before`/`after` and compare ids to submission time), while stale history needs ids from the past.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake_from_ms(epoch_ms: int, worker: int = 1, process: int = 0, increment: int = 0) -> int:
    return ((epoch_ms - DISCORD_EPOCH_MS) << 22) | (worker << 17) | (process << 12) | (increment & 0xFFF)


def snowflake_epoch_s(snowflake: int | str) -> float:
    """Creation time (epoch seconds) encoded in a snowflake."""
    return ((int(snowflake) >> 22) + DISCORD_EPOCH_MS) / 1000.0


def iso_timestamp(epoch_s: float) -> str:
    """Discord's timestamp format: `2023-03-10T16:29:14.383000+00:00`."""
    return datetime.fromtimestamp(epoch_s, tz=UTC).isoformat(timespec="microseconds")


class SnowflakeGenerator:
    """Strictly increasing ids for "now"; `past()` makes ids for back-dated (stale) messages."""

    def __init__(self, worker: int = 1, clock: Callable[[], float] = time.time) -> None:
        self._worker = worker
        self._clock = clock
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            candidate = snowflake_from_ms(int(self._clock() * 1000), self._worker)
            self._last = max(candidate, self._last + 1)
            return self._last

    def past(self, epoch_s: float, increment: int = 0) -> int:
        return snowflake_from_ms(int(epoch_s * 1000), self._worker, process=1, increment=increment)
