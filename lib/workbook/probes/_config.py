"""What a probe targets and how it is bounded, validated once, up front.

A probe only ever sends to the URLs of the `HttpTarget`s it is given. In sandbox mode
(`loopback_only=True`) a target outside 127.0.0.0/8, ::1 or `localhost` is refused, so a
params typo cannot load-test a real host.
"""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._errors import ProbeConfigError

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Sanity ceiling, not a recommendation: a probe that runs longer than this is a soak test.
MAX_DURATION_S = 3600.0


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: object, *, loopback_only: bool, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """Return `url` if it is an absolute URL with an allowed scheme (and loopback host if required)."""
    if not isinstance(url, str) or not url:
        raise ProbeConfigError("target url", url, f"an absolute {'/'.join(schemes)} URL")
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        raise ProbeConfigError("target url", url, f"an absolute {'/'.join(schemes)} URL with a host")
    if "${" in url:
        raise ProbeConfigError("target url", url, "a resolved URL (an unresolved ${sandbox...} placeholder)")
    if loopback_only and not is_loopback_host(parts.hostname):
        raise ProbeConfigError(
            "target url",
            url,
            "a loopback host (127.0.0.1, ::1, localhost) because loopback_only is set (sandbox mode)",
        )
    return url


@dataclass(frozen=True)
class HttpTarget:
    """One HTTP request a probe repeats: method, URL, optional body and headers."""

    name: str
    url: str
    method: str = "GET"
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # Statuses that count as success; empty means any 2xx.
    expect_status: tuple[int, ...] = ()

    def is_success(self, status: int) -> bool:
        if self.expect_status:
            return status in self.expect_status
        return 200 <= status < 300

    @classmethod
    def from_dict(cls, item: Mapping[str, Any], *, loopback_only: bool) -> HttpTarget:
        """Build from a params entry such as `{"name": "health", "method": "GET", "url": "..."}`."""
        if not isinstance(item, Mapping):
            raise ProbeConfigError("http target", item, 'a mapping like {"name": ..., "url": ...}')
        unknown = sorted(set(item) - {"name", "url", "method", "body", "headers", "expect_status"})
        if unknown:
            raise ProbeConfigError("http target keys", unknown, "only name, url, method, body, headers, expect_status")
        url = check_url(item.get("url"), loopback_only=loopback_only)
        method = str(item.get("method", "GET")).upper()
        if method not in METHODS:
            raise ProbeConfigError(f"method of target {url}", item.get("method"), f"one of {METHODS}")
        headers = {str(k): str(v) for k, v in dict(item.get("headers") or {}).items()}
        raw_body = item.get("body")
        body: bytes | None
        if raw_body is None or raw_body == "":
            body = None
        elif isinstance(raw_body, str):
            body = raw_body.encode()
        elif isinstance(raw_body, Mapping | list):
            body = json.dumps(raw_body).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            raise ProbeConfigError(f"body of target {url}", raw_body, "a string, a JSON object/list or null")
        statuses = item.get("expect_status") or ()
        if isinstance(statuses, int):
            statuses = (statuses,)
        if not all(isinstance(s, int) and 100 <= s <= 599 for s in statuses):
            raise ProbeConfigError(f"expect_status of target {url}", statuses, "HTTP status codes (100-599)")
        name = str(item.get("name") or f"{method} {url}")
        return cls(name=name, url=url, method=method, body=body, headers=headers, expect_status=tuple(statuses))


def parse_targets(items: Iterable[Mapping[str, Any] | HttpTarget], *, loopback_only: bool) -> list[HttpTarget]:
    """Validate the notebook's `http_targets` list; names must be unique."""
    targets = [
        check_target(item, loopback_only=loopback_only)
        if isinstance(item, HttpTarget)
        else HttpTarget.from_dict(item, loopback_only=loopback_only)
        for item in items
    ]
    names = [t.name for t in targets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ProbeConfigError("http target names", duplicates, "unique names")
    return targets


def check_target(target: HttpTarget, *, loopback_only: bool) -> HttpTarget:
    check_url(target.url, loopback_only=loopback_only)
    return target


def _positive(what: str, value: object, *, integer: bool = False, upper: float = math.inf) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not (0 < value <= upper):
        expected = "a positive integer" if integer else "a positive number of seconds"
        if upper != math.inf:
            expected += f" up to {upper:g}"
        raise ProbeConfigError(what, value, expected)


@dataclass(frozen=True)
class Bounds:
    """Every probe stops at whichever comes first: `duration_s` or `max_requests` sends.

    Both are required; there is no unbounded mode. `timeout_s` bounds each request and the
    final drain, `warmup_s` runs before the measured window and is discarded (also capped by
    `max_requests`).
    """

    duration_s: float
    max_requests: int
    timeout_s: float = 10.0
    warmup_s: float = 0.0

    def __post_init__(self) -> None:
        _positive("duration_s", self.duration_s, upper=MAX_DURATION_S)
        _positive("max_requests", self.max_requests, integer=True)
        _positive("timeout_s", self.timeout_s, upper=MAX_DURATION_S)
        if (
            isinstance(self.warmup_s, bool)
            or not isinstance(self.warmup_s, int | float)
            or not (0 <= self.warmup_s <= MAX_DURATION_S)
        ):
            raise ProbeConfigError("warmup_s", self.warmup_s, "0 or a positive number of seconds")

    @property
    def hard_limit_s(self) -> float:
        """Wall time after which a probe is cancelled no matter what: warm-up and window may each
        overrun by one request timeout, the open loop's late sends by another, plus slack."""
        return self.warmup_s + self.duration_s + 3 * self.timeout_s + 5.0
