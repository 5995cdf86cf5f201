"""In-memory state: the channel's message history, attachment recipes, and observability counters.

History holds what a REST client can page through; ephemeral messages (flags 64) exist only on the
gateway and in `ephemeral` (so their buttons still work). Every emitted gateway event is recorded
with its emit timestamp so a benchmark can measure detection latency after emission.
"""

from __future__ import annotations

import bisect
import copy
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]

MAX_EMITTED = 20_000
# History kept per channel; older messages fall off (a long benchmark must not grow memory forever).
MAX_HISTORY = 20_000


class HistoryQueryError(ValueError):
    """Bad `limit`/`before`/`after`/`around` combination (maps to a 50035 response)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


class ChannelStore:
    def __init__(self) -> None:
        self._ids: list[int] = []  # sorted ascending
        self._messages: dict[int, Json] = {}
        self.ephemeral: dict[int, Json] = {}

    def clear(self) -> None:
        self._ids.clear()
        self._messages.clear()
        self.ephemeral.clear()

    def put(self, message: Json) -> None:
        key = int(message["id"])
        if message.get("flags", 0) & 64:
            self.ephemeral[key] = message
            return
        if key not in self._messages:
            bisect.insort(self._ids, key)
        self._messages[key] = message
        if len(self._ids) > MAX_HISTORY:
            self._messages.pop(self._ids.pop(0), None)

    def get(self, message_id: str | int) -> Json | None:
        try:
            key = int(message_id)
        except (TypeError, ValueError):
            return None
        return self._messages.get(key) or self.ephemeral.get(key)

    def delete(self, message_id: str | int) -> Json | None:
        key = int(message_id)
        if key in self._messages:
            self._ids.remove(key)
            return self._messages.pop(key)
        return self.ephemeral.pop(key, None)

    def __len__(self) -> int:
        return len(self._ids)

    def history(
        self, limit: int = 50, before: str | None = None, after: str | None = None, around: str | None = None
    ) -> list[Json]:
        """Discord's Get Channel Messages: newest first; `after` returns the oldest ones after it."""
        if sum(value is not None for value in (before, after, around)) > 1:
            raise HistoryQueryError("before", "BASE_TYPE_INVALID", "Only one of before, after or around may be given.")
        if not 1 <= limit <= 100:
            code = "NUMBER_TYPE_MAX" if limit > 100 else "NUMBER_TYPE_MIN"
            raise HistoryQueryError("limit", code, "int value should be between 1 and 100.")
        ids = self._ids
        if before is not None:
            end = bisect.bisect_left(ids, _snowflake(before, "before"))
            chosen = ids[max(0, end - limit) : end]
        elif after is not None:
            start = bisect.bisect_right(ids, _snowflake(after, "after"))
            chosen = ids[start : start + limit]
        elif around is not None:
            centre = bisect.bisect_left(ids, _snowflake(around, "around"))
            half = limit // 2
            chosen = ids[max(0, centre - half) : max(0, centre - half) + limit]
        else:
            chosen = ids[-limit:]
        return [copy.deepcopy(self._messages[key]) for key in reversed(chosen)]


def _snowflake(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise HistoryQueryError(field, "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.') from None


@dataclass(frozen=True)
class AttachmentRecipe:
    kind: str  # grid | upscale | progress
    job_hash: str
    index: int
    width: int
    height: int
    filename: str
    content_type: str


class Observability:
    """Counters and the emitted-event log exposed at `{admin_url}/stats` and `/emitted`."""

    rest_calls: Counter[str]
    statuses: Counter[int]
    rate_limited: Counter[str]
    faults_fired: Counter[str]
    gateway: Counter[str]
    cdn: Counter[str]
    jobs: Counter[str]
    emitted: deque[Json]

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.rest_calls = Counter()
        self.statuses = Counter()
        self.rate_limited = Counter()
        self.faults_fired = Counter()
        self.invalid_requests = 0
        self.gateway = Counter()
        self.cdn = Counter()
        self.jobs = Counter()
        self.emitted = deque(maxlen=MAX_EMITTED)
        self._emit_seq = 0

    def record_rest(self, route: str, status: int, shared_scope: bool = False) -> None:
        self.rest_calls[route] += 1
        self.statuses[status] += 1
        if status == 429:
            self.rate_limited[route] += 1
        if status in (401, 403) or (status == 429 and not shared_scope):
            self.invalid_requests += 1

    def record_emit(self, event: str, data: Json, kind: str, job_hash: str | None, nonce: str | None) -> Json:
        self._emit_seq += 1
        entry = {
            "emit_seq": self._emit_seq,
            "event": event,
            "kind": kind,
            "message_id": data.get("id"),
            "channel_id": data.get("channel_id"),
            "job_hash": job_hash,
            "nonce": nonce,
            "emitted_at": time.time(),
        }
        self.emitted.append(entry)
        return entry

    def snapshot(self) -> Json:
        return {
            "rest_calls": dict(self.rest_calls),
            "rest_calls_total": sum(self.rest_calls.values()),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "rate_limited": dict(self.rate_limited),
            "rate_limited_total": sum(self.rate_limited.values()),
            "invalid_requests": self.invalid_requests,
            "faults_fired": dict(self.faults_fired),
            "gateway": dict(self.gateway),
            "cdn": dict(self.cdn),
            "jobs": dict(self.jobs),
            "emitted_total": self._emit_seq,
        }
