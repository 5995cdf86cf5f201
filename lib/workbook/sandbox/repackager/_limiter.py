"""The creation limit: `RATE_LIMIT_PER_MINUTE` (30) task creations per client address per fixed
one-minute window (sandbox-scaled), as slowapi's default fixed-window strategy counts them. The
31st answers 429 `{"error": "Rate limit exceeded: 30 per 1 minute"}`; unlike the real platform
(slowapi with headers off) the stand-in adds `Retry-After`, the seconds until the window ends."""

from __future__ import annotations

import math
import threading
import time


class FixedWindow:
    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> float:
        """Count one request; 0 if allowed, else the seconds until this client's window ends."""
        now = time.monotonic()
        with self._lock:
            start, count = self._windows.get(client, (now, 0))
            if now - start >= self.window_s:
                start, count = now, 0
            if count >= self.limit:
                return max(self.window_s - (now - start), 0.001)
            self._windows[client] = (start, count + 1)
            return 0.0

    def detail(self) -> str:
        return f"{self.limit} per 1 minute"

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))
