"""What an answer says about the connection itself, before any check reads it as evidence.

A 401/403 on the profile's credentials, a 404/405 on a route the chosen dialect needs, a WebSocket
reply in another envelope: each means the workbook could not exercise the platform, and says so at
once (`CouldNotCheck` with its reason class and the platform's own words) instead of being read as
a defect or waited out as a timeout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..checks import CouldNotCheck, ErrorReason, quote
from ..errors import UsageError

if TYPE_CHECKING:
    import httpx

    from ._profile import ServiceProfile

T = TypeVar("T")

AUTH_STATUSES = (401, 403)
ROUTE_STATUSES = (404, 405)


def body_excerpt(response: httpx.Response) -> str:
    try:
        text = response.text
    except Exception:  # a streamed or undecodable body
        return "(body not read)"
    return quote(text) if text else "(empty body)"


def check_access(
    response: httpx.Response,
    *,
    profile: ServiceProfile | None = None,
    route_param: str = "",
    dialect: str = "",
    allow: Iterable[int] = (),
) -> httpx.Response:
    """`response` unchanged, unless it shows the workbook could not get through.

    401/403 → `CouldNotCheck(auth)` naming the credential the profile sent; 404/405 → `CouldNotCheck(
    dialect)` naming METHOD PATH and the parameter that sets the route. Statuses in `allow` are
    answers the check judges itself (a 404 for an unknown id is an answer, not a missing route).
    """
    status = response.status_code
    allowed = set(allow)
    if status in allowed:
        return response
    request = response.request
    where = f"{request.method} {request.url.path}"
    evidence = {"request": where, "status_code": status, "body": body_excerpt(response)}
    if status in AUTH_STATUSES:
        sent = profile.credential if profile is not None else "the configured credentials"
        service = f" of service {profile.name!r}" if profile is not None else ""
        raise CouldNotCheck(
            ErrorReason.AUTH,
            f"{where} answered {status} with the credentials{service} ({sent}): {evidence['body']}",
            evidence=evidence,
        )
    if status in ROUTE_STATUSES:
        spoken = f" (dialect {dialect!r})" if dialect else ""
        setting = f"; the route is set by parameter {route_param!r}" if route_param else ""
        raise CouldNotCheck(
            ErrorReason.DIALECT,
            f"{where} answered {status}: the platform has no such route{spoken}{setting}: {evidence['body']}",
            evidence=evidence,
        )
    return response


def not_speaking(url: str, dialect: str, frame: object, frames: Iterable[object] = ()) -> CouldNotCheck:
    """The verdict for a WebSocket server that answered valid JSON in another envelope: raise it at once."""
    kept = [quote(item) for item in frames] or [quote(frame)]
    return CouldNotCheck(
        ErrorReason.DIALECT,
        f"the server at {url} does not speak {dialect}: it answered {quote(frame)}",
        evidence={"url": url, "dialect": dialect, "frames": kept},
    )


def pick_dialect(registry: Mapping[str, T], name: str, *, param: str = "dialect") -> T:
    """The dialect registered as `name` (UsageError naming the parameter and every known dialect)."""
    if name in registry:
        return registry[name]
    known = ", ".join(sorted(registry))
    raise UsageError(f"parameter {param!r}: unknown dialect {name!r}; known dialects: {known}")


def unreachable(url: str, error: BaseException, **evidence: Any) -> CouldNotCheck:
    """The verdict for a service that could not be reached at all."""
    return CouldNotCheck(
        ErrorReason.UNREACHABLE,
        f"could not reach {url}: {type(error).__name__}: {error}",
        evidence={"url": url, **evidence},
    )
