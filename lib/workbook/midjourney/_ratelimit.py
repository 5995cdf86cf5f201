"""Discord rate-limit bookkeeping: per-bucket state from `X-RateLimit-*`, the global limit, and
the invalid-request budget (401/403/429 answers) that stops a run long before Discord's ban.

No I/O: the REST client asks `delay_for()` how long to wait before a request and feeds every
response back through `observe()`. Clock and sleep are injectable for tests.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ._errors import InvalidRequestBudgetError

# Discord bans an IP after 10,000 invalid requests in 10 minutes; we stop far earlier.
DEFAULT_INVALID_BUDGET = 50
INVALID_WINDOW_S = 600.0

_MAJOR = re.compile(r"/(channels|guilds|webhooks)/(\d+)")
_MAJOR_KINDS = {"channels", "guilds", "webhooks"}


def route_key(method: str, path: str) -> str:
    """`GET /channels/1/messages/2` -> `GET /channels/1/messages/{id}`: the major id (channel,
    guild, webhook) stays because Discord keys buckets per top-level resource; other ids fold."""
    parts = path.split("?")[0].strip("/").split("/")
    kept_major = False
    out: list[str] = []
    for index, part in enumerate(parts):
        if part.isdigit():
            if not kept_major and index > 0 and parts[index - 1] in _MAJOR_KINDS:
                kept_major = True
                out.append(part)
            else:
                out.append("{id}")
        else:
            out.append(part)
    return f"{method.upper()} /" + "/".join(out)


def major_of(path: str) -> str:
    match = _MAJOR.search(path)
    return match.group(0) if match else ""


@dataclass
class BucketState:
    bucket: str
    limit: int | None = None
    remaining: int | None = None
    reset_at: float = 0.0  # monotonic seconds


class RateLimiter:
    def __init__(
        self,
        *,
        invalid_budget: int = DEFAULT_INVALID_BUDGET,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if invalid_budget < 1:
            raise ValueError(f"invalid_budget must be >= 1, got {invalid_budget}")
        self.invalid_budget = invalid_budget
        self._clock = clock
        self._route_bucket: dict[str, str] = {}
        self._buckets: dict[str, BucketState] = {}
        self._global_until = 0.0
        self._invalid: deque[float] = deque()
        self.invalid_total = 0
        self.rate_limited_total = 0

    # -- before a request --

    def delay_for(self, method: str, path: str) -> float:
        """Seconds to wait before sending; reserves one slot of the bucket if it is known."""
        now = self._clock()
        wait = max(0.0, self._global_until - now)
        state = self._state(method, path)
        if state is not None and state.remaining is not None:
            if state.remaining <= 0 and state.reset_at > now:
                wait = max(wait, state.reset_at - now)
                state.remaining = (state.limit or 1) - 1
                state.reset_at = now + wait + 0.001
            elif state.remaining <= 0:
                state.remaining = (state.limit or 1) - 1
            else:
                state.remaining -= 1
        return wait

    # -- after a response --

    def observe(self, method: str, path: str, status: int, headers: Mapping[str, str], body: object) -> float:
        """Record a response. Returns the seconds to wait before retrying if it was a 429, else 0.

        Raises InvalidRequestBudgetError when 401/403/non-shared-429 answers reach the budget.
        """
        now = self._clock()
        bucket = headers.get("x-ratelimit-bucket")
        if bucket:
            key = route_key(method, path)
            self._route_bucket[key] = bucket
            state = self._buckets.setdefault(bucket + major_of(path), BucketState(bucket))
            if (limit := _number(headers.get("x-ratelimit-limit"))) is not None:
                state.limit = int(limit)
            if (remaining := _number(headers.get("x-ratelimit-remaining"))) is not None:
                state.remaining = int(remaining)
            if (reset_after := _number(headers.get("x-ratelimit-reset-after"))) is not None:
                state.reset_at = now + reset_after
        retry_after = 0.0
        if status == 429:
            self.rate_limited_total += 1
            data = body if isinstance(body, dict) else {}
            retry_after = _number(data.get("retry_after")) or _number(headers.get("retry-after")) or 1.0
            is_global = bool(data.get("global")) or headers.get("x-ratelimit-global", "").lower() == "true"
            if is_global:
                self._global_until = max(self._global_until, now + retry_after)
            elif bucket:
                state = self._buckets[bucket + major_of(path)]
                state.remaining = 0
                state.reset_at = max(state.reset_at, now + retry_after)
            # Shared-scope 429s do not count toward Discord's invalid-request limit.
            if headers.get("x-ratelimit-scope", "").lower() != "shared":
                self._count_invalid(now)
        elif status in (401, 403):
            self._count_invalid(now)
        return retry_after

    def invalid_in_window(self) -> int:
        self._expire(self._clock())
        return len(self._invalid)

    def _count_invalid(self, now: float) -> None:
        self._invalid.append(now)
        self.invalid_total += 1
        self._expire(now)
        if len(self._invalid) >= self.invalid_budget:
            raise InvalidRequestBudgetError(
                f"{len(self._invalid)} invalid requests (401/403/429) in the last "
                f"{INVALID_WINDOW_S:.0f} s reached this run's budget of {self.invalid_budget} "
                "(Discord bans at 10,000); stopping"
            )

    def _expire(self, now: float) -> None:
        while self._invalid and now - self._invalid[0] > INVALID_WINDOW_S:
            self._invalid.popleft()

    def _state(self, method: str, path: str) -> BucketState | None:
        bucket = self._route_bucket.get(route_key(method, path))
        return self._buckets.get(bucket + major_of(path)) if bucket else None


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
