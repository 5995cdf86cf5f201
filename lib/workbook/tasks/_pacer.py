"""Creating tasks within the platform's stated limit (30 per minute per client) instead of
tripping it: a sliding log of this run's creations, a wait when the next one would exceed the
limit, and on a 429 a wait of its Retry-After (or the rest of the window when it gives none).
Every wait and every 429 is recorded, for the report."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CreationPacer:
    limit: int
    window_s: float
    sent: deque[float] = field(default_factory=deque)
    waits: list[float] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def before_create(self) -> None:
        now = time.monotonic()
        while self.sent and now - self.sent[0] >= self.window_s:
            self.sent.popleft()
        if len(self.sent) >= self.limit:
            wait = self.window_s - (now - self.sent[0]) + 0.01
            self.waits.append(round(wait, 3))
            time.sleep(wait)
            self.sent.popleft()
        self.sent.append(time.monotonic())

    def after_429(self, retry_after_s: float | None, within_limit: bool) -> float:
        """Record a 429; returns how long to wait before trying again."""
        wait = retry_after_s if retry_after_s is not None else self.window_s
        self.rejected.append(
            {
                "time": time.time(),
                "retry_after_s": retry_after_s,
                "waited_s": round(wait, 3),
                "within_limit": within_limit,
            }
        )
        return wait

    def in_window(self) -> int:
        now = time.monotonic()
        return sum(1 for sent in self.sent if now - sent < self.window_s)

    def summary(self) -> dict[str, Any]:
        return {
            "limit": f"{self.limit} per {self.window_s:g} s",
            "paced_waits": len(self.waits),
            "paced_wait_s": round(sum(self.waits), 3),
            "rate_limited": len(self.rejected),
            "rate_limited_within_limit": sum(1 for item in self.rejected if item["within_limit"]),
        }
