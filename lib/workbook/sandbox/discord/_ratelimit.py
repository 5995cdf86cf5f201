"""Discord-style rate limiting: per-route buckets keyed by their top-level resource, plus a global
limit, all per token (the user and each bot have their own). Pure logic with injected clocks, so
it is testable without a network.

Windows are in *emulated* seconds and divided by the time scale; the values reported in headers
(`X-RateLimit-Reset-After`, `retry_after`) are real seconds, which is what a client sleeps.
The limits for user tokens are undocumented (reference notes §6.1); the ones below are chosen to be
plausible and are what clients must discover from the headers, never hard-code.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BucketSpec:
    limit: int
    window_s: float  # emulated seconds


# Route templates (method + path after /api/vN) -> bucket. Unlisted routes use DEFAULT_BUCKET.
ROUTE_BUCKETS: dict[str, BucketSpec] = {
    "POST /interactions": BucketSpec(limit=5, window_s=5.0),
    "GET /channels/{channel_id}/messages": BucketSpec(limit=5, window_s=5.0),
    "GET /channels/{channel_id}/messages/{message_id}": BucketSpec(limit=5, window_s=5.0),
    "GET /users/@me": BucketSpec(limit=5, window_s=5.0),
    "GET /guilds/{guild_id}/application-command-index": BucketSpec(limit=5, window_s=5.0),
    "GET /channels/{channel_id}/application-command-index": BucketSpec(limit=5, window_s=5.0),
}
DEFAULT_BUCKET = BucketSpec(limit=10, window_s=10.0)
GLOBAL_LIMIT = BucketSpec(limit=50, window_s=1.0)


def bucket_id(route: str) -> str:
    """Opaque bucket hash like Discord's `X-RateLimit-Bucket` (stable per route)."""
    return hashlib.sha256(route.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    bucket: str
    limit: int
    remaining: int
    reset_after_s: float  # real seconds until the window resets
    reset_at: float  # epoch seconds
    retry_after_s: float = 0.0
    is_global: bool = False
    scope: str = "user"

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": f"{self.reset_at:.3f}",
            "X-RateLimit-Reset-After": f"{self.reset_after_s:.3f}",
            "X-RateLimit-Bucket": self.bucket,
        }
        if not self.allowed:
            # Retry-After is an integer number of seconds on real Discord; the precise float is
            # in the body's `retry_after` and in X-RateLimit-Reset-After.
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after_s)))
            headers["X-RateLimit-Scope"] = self.scope
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
        return headers

    def body(self) -> dict[str, object]:
        message = "The resource is being rate limited." if self.scope == "shared" else "You are being rate limited."
        return {"message": message, "retry_after": round(self.retry_after_s, 3), "global": self.is_global}


class _Window:
    __slots__ = ("count", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.count = 0


class RateLimiter:
    def __init__(
        self,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.time_scale = time_scale
        self._clock = clock
        self._wall = wall
        self._windows: dict[tuple[str, str, str], _Window] = {}

    def reset(self) -> None:
        self._windows.clear()

    def _window(self, key: tuple[str, str, str], spec: BucketSpec) -> tuple[_Window, float]:
        now = self._clock()
        real_window = spec.window_s / self.time_scale
        window = self._windows.get(key)
        if window is None or now - window.started >= real_window:
            window = _Window(now)
            self._windows[key] = window
        return window, real_window - (now - window.started)

    def check(self, route: str, major: str = "", token: str = "") -> Decision:
        """Count one request by `token` (limits are per token) on `route` (for resource `major`);
        refuse it if a limit is exhausted."""
        spec = ROUTE_BUCKETS.get(route, DEFAULT_BUCKET)
        bucket = bucket_id(route)
        global_window, global_left = self._window((token, "<global>", ""), GLOBAL_LIMIT)
        window, left = self._window((token, route, major), spec)
        wall = self._wall()
        if global_window.count >= GLOBAL_LIMIT.limit:
            return Decision(
                False,
                bucket,
                spec.limit,
                max(0, spec.limit - window.count),
                left,
                wall + left,
                retry_after_s=global_left,
                is_global=True,
                scope="global",
            )
        if window.count >= spec.limit:
            return Decision(False, bucket, spec.limit, 0, left, wall + left, retry_after_s=left, scope="user")
        global_window.count += 1
        window.count += 1
        return Decision(True, bucket, spec.limit, spec.limit - window.count, left, wall + left)

    def peek(self, route: str, major: str = "", token: str = "") -> Decision:
        """Headers for a response that did not count against the bucket (401s, injected faults)."""
        spec = ROUTE_BUCKETS.get(route, DEFAULT_BUCKET)
        window, left = self._window((token, route, major), spec)
        return Decision(
            True, bucket_id(route), spec.limit, max(0, spec.limit - window.count), left, self._wall() + left
        )

    def forced(self, route: str, retry_after_s: float, is_global: bool = False, scope: str = "user") -> Decision:
        """A 429 the `rate_limit_storm` fault imposes regardless of the counters."""
        spec = ROUTE_BUCKETS.get(route, DEFAULT_BUCKET)
        return Decision(
            False,
            bucket_id(route),
            spec.limit,
            0,
            retry_after_s,
            self._wall() + retry_after_s,
            retry_after_s=retry_after_s,
            is_global=is_global,
            scope="global" if is_global else scope,
        )
