"""Notebook 30's connections, taken from the params file's service profiles (`workbook.connect`):
the HTTP targets (each named profile's first `health:` path, with the profile's headers and
credential) and the brain's WebSocket endpoint (the profile's `ws_url`, its credential on the
handshake, its `dialect` unless `brain_protocol` names one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import connect
from ..errors import UsageError
from ..mcp import PROTOCOLS
from ._config import HttpTarget, check_url


@dataclass(frozen=True)
class BrainEndpoint:
    """Where the brain's WebSocket is and how to speak to it; `headers` may carry a credential
    (never shown: `describe` leaves them out)."""

    ws_url: str
    dialect: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    verify_tls: bool = True
    ca_bundle: str = ""

    def options(self, brain_tools: Mapping[str, Any]) -> dict[str, Any]:
        """The `workbook.mcp` keyword arguments for this endpoint."""
        return {
            "dialect": self.dialect,
            "brain_tools": dict(brain_tools),
            "headers": dict(self.headers),
            "verify_tls": self.verify_tls,
            "ca_bundle": self.ca_bundle,
        }


def profile_targets(services: Mapping[str, Any], names: Sequence[str], *, loopback_only: bool) -> list[HttpTarget]:
    """One target per named profile: its first `health:` path, on its own connection."""
    targets = []
    for name in names:
        profile = connect.profile(services, name)
        if not profile.health:
            raise UsageError(f"http_services: service profile {name!r} has no health path (services.{name}.health)")
        url = check_url(profile.http_url(profile.health[0]), loopback_only=loopback_only)
        headers = {**profile.headers, **profile.auth_headers()}
        targets.append(HttpTarget(f"{name}-health", url, "GET", None, headers))
    return targets


def brain_endpoint(services: Mapping[str, Any], name: str, protocol: str) -> BrainEndpoint | None:
    """The brain's endpoint from its profile (None when `name` is empty: no brain to probe)."""
    if not name:
        return None
    profile = connect.profile(services, name)
    if not profile.ws_url:
        raise UsageError(f"brain_service: service profile {name!r} has no ws_url (services.{name}.ws_url)")
    dialect = protocol or profile.dialect or "auto"
    if dialect not in PROTOCOLS:
        raise UsageError(f"services.{name}.dialect: unknown brain dialect {dialect!r}; known: {', '.join(PROTOCOLS)}")
    headers = profile.ws_connect_kwargs()["additional_headers"]
    return BrainEndpoint(profile.ws_target(), dialect, headers, profile.verify_tls, profile.ca_bundle)
