"""What a probe targets and how it is bounded, validated once, up front.

A probe only ever sends to the URLs of the `HttpTarget`s it is given. In sandbox mode
(`loopback_only=True`) a target outside 127.0.0.0/8, ::1 or `localhost` is refused, so a
params typo cannot load-test a real host.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from ..timing import Count, NonNegativeSeconds, PositiveSeconds
from ._errors import ProbeConfigError, ProbeSettings

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
        return TargetSpec.of(**item).target(loopback_only=loopback_only)


Status = Annotated[int, Field(strict=True, ge=100, le=599)]


class TargetSpec(ProbeSettings):
    """A params entry for one HTTP target, validated (the loopback rule is applied by `target`)."""

    url: str
    name: str = ""
    method: str = "GET"
    body: str | dict[str, Any] | list[Any] | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    expect_status: tuple[Status, ...] = ()

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value.upper() not in METHODS:
            raise ValueError(f"expected one of {METHODS}")
        return value.upper()

    @field_validator("expect_status", mode="before")
    @classmethod
    def _statuses(cls, value: object) -> object:
        return (value,) if isinstance(value, int) else (value or ())

    def target(self, *, loopback_only: bool) -> HttpTarget:
        url = check_url(self.url, loopback_only=loopback_only)
        headers = dict(self.headers)
        body: bytes | None = None
        if isinstance(self.body, str) and self.body:
            body = self.body.encode()
        elif isinstance(self.body, dict | list):
            body = json.dumps(self.body).encode()
            headers.setdefault("Content-Type", "application/json")
        name = self.name or f"{self.method} {url}"
        return HttpTarget(name, url, self.method, body, headers, self.expect_status)


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


class Bounds(ProbeSettings):
    """Every probe stops at whichever comes first: `duration_s` or `max_requests` sends.

    Both are required; there is no unbounded mode. `timeout_s` bounds each request and the
    final drain, `warmup_s` runs before the measured window and is discarded (also capped by
    `max_requests`). Build with `Bounds.of(...)` (bad values raise `ProbeConfigError`).
    """

    duration_s: Annotated[PositiveSeconds, Field(le=MAX_DURATION_S)]
    max_requests: Count
    timeout_s: Annotated[PositiveSeconds, Field(le=MAX_DURATION_S)] = 10.0
    warmup_s: Annotated[NonNegativeSeconds, Field(le=MAX_DURATION_S)] = 0.0

    @property
    def hard_limit_s(self) -> float:
        """Wall time after which a probe is cancelled no matter what: warm-up and window may each
        overrun by one request timeout, the open loop's late sends by another, plus slack."""
        return self.warmup_s + self.duration_s + 3 * self.timeout_s + 5.0
