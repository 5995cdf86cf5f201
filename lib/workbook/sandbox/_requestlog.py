"""What each cross-service stand-in records per request, keyed by correlation id (`X-Request-ID`).

Every service appends one entry per request it served (and one per call it made to another
service) to a bounded in-memory log, prints it as one JSON line on stderr (the sandbox logs keep
it), and serves it under `{admin_url}/_sandbox/requests?request_id=ID` (GET; DELETE clears). The
notebook reads these entries as evidence recorded by the services themselves, independently of
what the caller claims, to check propagation and to draw the per-hop waterfall.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter

REQUESTS_PATH = "/_sandbox/requests"
REQUEST_ID_HEADER = "X-Request-ID"
# The key under an MCP request's `params._meta` that carries the correlation id (SEP-414 puts
# request-scoped context such as `traceparent` there).
MCP_META_KEY = "x-request-id"
MAX_ENTRIES = 20_000


class RequestLog:
    def __init__(self, service: str, *, echo: bool = True, max_entries: int = MAX_ENTRIES) -> None:
        self.service = service
        self.echo = echo
        self._entries: deque[dict[str, Any]] = deque(maxlen=max_entries)
        self._lock = threading.Lock()

    def record(self, request_id: str | None, hop: str, **fields: Any) -> dict[str, Any]:
        entry = {"service": self.service, "request_id": request_id or "", "hop": hop, **fields}
        entry.setdefault("at", time.time())
        with self._lock:
            self._entries.append(entry)
        if self.echo and entry["request_id"]:  # load tests send thousands of uncorrelated calls
            print(json.dumps(entry, default=str), file=sys.stderr, flush=True)
        return entry

    @contextmanager
    def timed(self, request_id: str | None, hop: str, **fields: Any) -> Iterator[dict[str, Any]]:
        """Record `hop` when the block ends, with its start time and duration; the block may add fields."""
        extra: dict[str, Any] = {}
        started = time.time()
        began = time.perf_counter()
        try:
            yield extra
        except BaseException as error:
            extra.setdefault("error", f"{type(error).__name__}: {error}")
            raise
        finally:
            self.record(
                request_id,
                hop,
                at=started,
                duration_ms=round((time.perf_counter() - began) * 1000, 3),
                **fields,
                **extra,
            )

    def entries(self, request_id: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        with self._lock:
            chosen = [e for e in self._entries if request_id is None or e["request_id"] == request_id]
        return chosen[-limit:]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def request_id_of(meta: Any) -> str | None:
    """The correlation id an MCP request carries in `params._meta`, if any."""
    if isinstance(meta, Mapping):
        value = meta.get(MCP_META_KEY)
        return value if isinstance(value, str) and value else None
    return None


def requests_router(log: RequestLog) -> APIRouter:
    router = APIRouter()

    @router.get(REQUESTS_PATH)
    def get_requests(request_id: str | None = None, limit: int = 1000) -> dict[str, Any]:
        return {"service": log.service, "entries": log.entries(request_id, max(1, min(limit, MAX_ENTRIES)))}

    @router.delete(REQUESTS_PATH)
    def delete_requests() -> dict[str, Any]:
        log.clear()
        return {"service": log.service, "entries": []}

    return router
