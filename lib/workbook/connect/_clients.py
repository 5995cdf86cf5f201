"""Clients built from a profile: httpx for HTTP, keyword arguments for websockets' `connect`.

The one place credentials are put on the wire, so every capability sends them the same way and
none can forget a header, a CA bundle or a timeout.
"""

from __future__ import annotations

import base64
import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    import httpx

    from ._profile import ServiceProfile


def auth_headers(profile: ServiceProfile) -> dict[str, str]:
    """The headers carrying the profile's credential (none for query, aws or password auth)."""
    auth = profile.auth
    if auth is None:
        return {}
    if auth.kind == "header":
        return {auth.name: auth.prefix + auth.secret()}
    if auth.kind == "bearer":
        return {"Authorization": f"Bearer {auth.secret()}"}
    if auth.kind == "basic":
        token = base64.b64encode(f"{auth.username()}:{auth.secret()}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def auth_params(profile: ServiceProfile) -> dict[str, str]:
    auth = profile.auth
    return {auth.name: auth.secret()} if auth is not None and auth.kind == "query" else {}


def verify_setting(profile: ServiceProfile) -> bool | ssl.SSLContext:
    """httpx's `verify`: False, True, or a context trusting the profile's CA bundle."""
    if not profile.verify_tls:
        return False
    if profile.ca_bundle:
        return ssl.create_default_context(cafile=profile.ca_bundle)
    return True


def _client_options(profile: ServiceProfile, overrides: dict[str, Any]) -> dict[str, Any]:
    import httpx

    options: dict[str, Any] = {
        "base_url": profile.base_url,
        "headers": {**profile.headers, **auth_headers(profile)},
        "params": auth_params(profile),
        "verify": verify_setting(profile),
        "timeout": httpx.Timeout(profile.read_timeout_s, connect=profile.connect_timeout_s),
    }
    extra_headers = overrides.pop("headers", None)
    if extra_headers:
        options["headers"] = {**options["headers"], **extra_headers}
    options.update(overrides)
    return options


def http_client(profile: ServiceProfile, **overrides: Any) -> httpx.Client:
    import httpx

    return httpx.Client(**_client_options(profile, dict(overrides)))


def async_http_client(profile: ServiceProfile, **overrides: Any) -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient(**_client_options(profile, dict(overrides)))


def ws_target(profile: ServiceProfile, path: str = "") -> str:
    """`path` on the profile's ws_url (an absolute ws URL as it is), with query-parameter auth added."""
    if "://" in path:
        url = path
    elif not profile.ws_url:
        from ..errors import UsageError

        raise UsageError(
            f"service profile {profile.name!r} has no 'ws_url'; the params file's services: section sets it"
        )
    else:
        url = profile.ws_url.rstrip("/") + "/" + path.lstrip("/") if path else profile.ws_url
    params = auth_params(profile) if profile.ws_auth else {}
    if not params:
        return url
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query), *params.items()])
    return urlunsplit(parts._replace(query=query))


def ws_connect_kwargs(profile: ServiceProfile, url: str) -> dict[str, Any]:
    """For `websockets.asyncio.client.connect(url, **kwargs)`: headers with auth, TLS, open timeout."""
    kwargs: dict[str, Any] = {
        "additional_headers": {**profile.headers, **(auth_headers(profile) if profile.ws_auth else {})},
        "open_timeout": profile.connect_timeout_s,
    }
    if urlsplit(url).scheme == "wss":
        verify = verify_setting(profile)
        if verify is False:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            kwargs["ssl"] = context
        elif isinstance(verify, ssl.SSLContext):
            kwargs["ssl"] = verify
    return kwargs
