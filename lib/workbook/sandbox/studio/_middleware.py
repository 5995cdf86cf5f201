"""Raw ASGI layers that give the studio Werkzeug's and flask-cors's outward shape, and the hang switch.

* `HangGate`: `hang_after` — read the request, then never answer while the switch is on.
* `ApiKeyGate`: `api_key_required` — `/api/` requests without the right `X-API-Key` get 401 (a
  gateway in front of ORFEAS; CORS preflights pass, as gateways let them).
* `WerkzeugShape`: `Connection: close` on every answer (the development server ORFEAS runs on; the
  `keep_alive` option drops it), ORFEAS's security headers (validation.py SecurityHeaders), Flask's
  HTML 404/405 pages, automatic OPTIONS answers.
* `FlaskCors`: flask-cors 4.0 as ORFEAS configures it (main.py:794-801): with an origin list, a
  listed Origin is echoed, any other gets no grant, a request without Origin gets the list; with
  `cors_any_origin` (CORS_ORIGINS unset = '*') every Origin is echoed with `Vary: Origin`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from ._switches import API_KEY_HEADER, StudioFaults, StudioOptions

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

NEVER_HELD = ("/health", "/ready", "/_sandbox")
MAX_HOLD_S = 600.0  # longest a hung request is held, then dropped unanswered
POLL_S = 0.1
SECURITY_HEADERS = (
    (b"content-security-policy", b"default-src 'self'; frame-src 'none'; object-src 'none'; base-uri 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"x-xss-protection", b"1; mode=block"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"geolocation=(), microphone=(), camera=()"),
)
SERVER = b"Werkzeug/2.3.7 Python/3.11"
NOT_FOUND = (
    b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    b"<p>The requested URL was not found on the server. If you entered the URL manually please check "
    b"your spelling and try again.</p>\n"
)
NOT_ALLOWED = (
    b"<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n"
    b"<p>The method is not allowed for the requested URL.</p>\n"
)
CORS_METHODS = b"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


class HangGate:
    """`hang_after`: after N admitted API requests, hold every further one unanswered."""

    def __init__(self, app: ASGIApp, faults: StudioFaults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NEVER_HELD) or self.faults.admit():
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_HOLD_S
        buffered: list[Message] = []
        pending: asyncio.Future[Message] = asyncio.ensure_future(receive())
        try:
            while self.faults.on("hang_after") and loop.time() < deadline:
                done, _ = await asyncio.wait({pending}, timeout=POLL_S)
                if not done:
                    continue
                message = pending.result()
                if message["type"] == "http.disconnect":
                    return  # the client gave up waiting
                buffered.append(message)
                pending = asyncio.ensure_future(receive())
            if self.faults.on("hang_after"):
                return
        except BaseException:
            pending.cancel()
            raise

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await pending

        await self.app(scope, replay, send)  # the switch went off: serve it after all


class ApiKeyGate:
    """`api_key_required`: 401 for an `/api/` request whose X-API-Key is missing or wrong."""

    def __init__(self, app: ASGIApp, faults: StudioFaults, api_key: str) -> None:
        self.app, self.faults, self.api_key = app, faults, api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        guarded = scope["type"] == "http" and scope["path"].startswith("/api/") and scope["method"] != "OPTIONS"
        if not guarded or not self.faults.on("api_key_required"):
            await self.app(scope, receive, send)
            return
        sent = header(scope, API_KEY_HEADER.encode())
        # An empty configured key matches nothing: the switch then refuses every request.
        if self.api_key and hmac.compare_digest(sent.encode(), self.api_key.encode()):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "Invalid API key" if sent else "API key required"}).encode()
        headers = [(b"content-type", b"application/json"), (b"www-authenticate", b'ApiKey header="X-API-Key"')]
        await _answer(send, 401, body, headers, content_type=False)


class WerkzeugShape:
    """Headers and error pages as Flask on Werkzeug's development server sends them."""

    def __init__(self, app: ASGIApp, options: StudioOptions, allowed: Callable[[str], Sequence[str]]) -> None:
        self.app, self.options, self.allowed = app, options, allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        methods = self.allowed(scope["path"])

        async def shaped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in (b"server", b"connection")]
                headers += [*SECURITY_HEADERS, (b"server", SERVER)]
                if not self.options.on("keep_alive"):
                    headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        if scope["method"] == "OPTIONS":
            await _answer(shaped, 200, b"", [(b"allow", ", ".join([*methods, "OPTIONS"]).encode())])
        elif not methods and scope["method"] in ("GET", "HEAD"):
            await _answer(shaped, 404, NOT_FOUND)  # ORFEAS's catch-all static route finds no file
        elif not methods:
            await _answer(shaped, 405, NOT_ALLOWED, [(b"allow", b"GET, HEAD, OPTIONS")])
        elif scope["method"] not in (*methods, "HEAD"):
            await _answer(shaped, 405, NOT_ALLOWED, [(b"allow", ", ".join([*methods, "OPTIONS"]).encode())])
        else:
            await self.app(scope, receive, shaped)


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
    *,
    content_type: bool = True,
) -> None:
    """A whole answer; an HTML page (Werkzeug's error pages) unless `content_type` is False."""
    html = [(b"content-type", b"text/html; charset=utf-8")] if content_type else []
    headers = [*html, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


class FlaskCors:
    def __init__(self, app: ASGIApp, faults: StudioFaults, origins: Sequence[str]) -> None:
        self.app, self.faults, self.origins = app, faults, list(origins)

    def grant(self, origin: str) -> list[tuple[bytes, bytes]]:
        if self.faults.on("cors_any_origin"):
            if not origin:
                return [(b"access-control-allow-origin", b"*")]
            return [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
        if not origin:
            return [(b"access-control-allow-origin", ", ".join(sorted(self.origins)).encode())] if self.origins else []
        return [(b"access-control-allow-origin", origin.encode())] if origin in self.origins else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        granted = self.grant(header(scope, b"origin"))
        if granted:
            granted.append((b"access-control-expose-headers", b"Content-Disposition"))
            if scope["method"] == "OPTIONS" and header(scope, b"access-control-request-method"):
                asked = header(scope, b"access-control-request-headers")
                if asked:
                    granted.append((b"access-control-allow-headers", asked.encode()))
                granted.append((b"access-control-allow-methods", CORS_METHODS))

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and granted:
                message = {**message, "headers": [*message.get("headers", []), *granted]}
            await send(message)

        await self.app(scope, receive, with_cors)
