"""Who is wrong: the one rule that turns what a check body raised into a status and a reason class.

A check ends `fail` only on evidence that the platform misbehaves (an expectation the body recorded,
`c.fail`, an AssertionError). Everything that kept the check from exercising the platform ends
`error` with a reason class: a body says so with `CouldNotCheck`, and the usual exceptions of the
HTTP and WebSocket libraries are classified here so a refused connection never reads as a defect
and a workbook bug never reads as the platform's fault.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Mapping
from typing import Any

from ..errors import SecretMissingError, SyncTimeoutError, UsageError
from ._model import ErrorReason

# OSErrors that mean the network did not get us there (others, e.g. a missing file, are workbook bugs).
_NETWORK_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}
)

# Evidence frames and bodies quoted in a detail are cut to this many characters.
QUOTE_LIMIT = 300


class CouldNotCheck(Exception):
    """Raised in a check body (or by a client) when the platform could not be exercised.

    `reason` is the class (`unreachable`, `auth`, `dialect`, `setup`, `internal`), `message` says
    what happened in the platform's own words where there are any, `evidence` is kept with the
    result (frames, status codes, bodies) under `measured["evidence"]`.
    """

    def __init__(self, reason: ErrorReason | str, message: str, *, evidence: Mapping[str, Any] | None = None) -> None:
        self.reason = ErrorReason(reason)
        self.message = message
        self.evidence = dict(evidence or {})
        super().__init__(message)


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as text short enough for a detail line (frames and bodies are evidence, not prose)."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def classify(error: BaseException) -> tuple[ErrorReason, str, dict[str, Any]]:
    """(reason, detail, evidence) for an exception a check body did not handle."""
    if isinstance(error, CouldNotCheck):
        return error.reason, error.message, error.evidence
    for kind in (_from_httpx, _from_websockets, _from_os):
        found = kind(error)
        if found is not None:
            return found
    if isinstance(error, SecretMissingError | UsageError):
        return ErrorReason.SETUP, f"{type(error).__name__}: {error}", {}
    return ErrorReason.INTERNAL, f"{type(error).__name__}: {error}", {}


def _from_httpx(error: BaseException) -> tuple[ErrorReason, str, dict[str, Any]] | None:
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is a dependency
        return None
    if not isinstance(error, httpx.TransportError):
        return None
    url = _request_url(error)
    if isinstance(error, httpx.TimeoutException):
        return ErrorReason.UNREACHABLE, f"no answer from {url} in time ({type(error).__name__}: {error})", {}
    return ErrorReason.UNREACHABLE, f"could not reach {url}: {type(error).__name__}: {error}", {}


def _request_url(error: Any) -> str:
    try:
        request = error.request
    except RuntimeError:  # httpx raises when the error was made without a request
        return "the service"
    return f"{request.method} {request.url}"


def _from_websockets(error: BaseException) -> tuple[ErrorReason, str, dict[str, Any]] | None:
    try:
        from websockets.exceptions import InvalidStatus, InvalidURI
    except ImportError:  # pragma: no cover - websockets is a dependency
        return None
    if isinstance(error, InvalidStatus):
        status = error.response.status_code
        body = quote(error.response.body.decode(errors="replace")) if error.response.body else "(no body)"
        evidence = {"status_code": status, "body": body}
        if status in (401, 403):
            return ErrorReason.AUTH, f"WebSocket handshake refused with {status}: {body}", evidence
        if status in (404, 405):
            return ErrorReason.DIALECT, f"WebSocket handshake answered {status} (no such endpoint): {body}", evidence
        return ErrorReason.UNREACHABLE, f"WebSocket handshake answered {status}: {body}", evidence
    if isinstance(error, InvalidURI):
        return ErrorReason.SETUP, f"{type(error).__name__}: {error}", {}
    return None


def _from_os(error: BaseException) -> tuple[ErrorReason, str, dict[str, Any]] | None:
    if isinstance(error, ssl.SSLError):
        return ErrorReason.UNREACHABLE, f"TLS failed: {error} (check the profile's verify_tls / ca_bundle)", {}
    if isinstance(error, SyncTimeoutError | TimeoutError):
        return ErrorReason.UNREACHABLE, f"no answer in time: {type(error).__name__}: {error}", {}
    if isinstance(error, ConnectionError | socket.gaierror) or (
        isinstance(error, OSError) and error.errno in _NETWORK_ERRNOS
    ):
        return ErrorReason.UNREACHABLE, f"could not connect: {type(error).__name__}: {error}", {}
    return None
