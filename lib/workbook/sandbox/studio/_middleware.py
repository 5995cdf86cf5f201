"""Raw ASGI layers of the studio: the hang switch, the /api prefix switch, CORS, and body guards.

They sit outside FastAPI's routing because the defects they model happen before a route runs: a
server that stops answering, routes mounted under another prefix, a body over the size limit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from starlette.middleware.cors import CORSMiddleware

from ._switches import StudioFaults

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ADMIN_PREFIX = "/_sandbox"
API_PREFIX = "/api"
# Paths that stay where they are when `no_api_prefix` moves the API routes to the root.
UNPREFIXED = ("/health", "/ready", "/openapi.json", "/docs", "/redoc", ADMIN_PREFIX)
# Longest a hung request is held (then the connection is closed without an answer).
MAX_HOLD_S = 600.0
POLL_S = 0.1


async def send_json(send: Send, status: int, body: Mapping[str, Any]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


async def drain(receive: Receive) -> None:
    """Read and drop the rest of a request body, so an early answer reaches a client still sending."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class HangGate:
    """`hang_after`: read the request, then never answer while the switch is on."""

    def __init__(self, app: ASGIApp, faults: StudioFaults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only API routes hang: health, readiness and the admin endpoint stay up (so the launcher can
        # start a studio with the switch already on, and a test can turn it off again).
        if scope["type"] != "http" or scope["path"].startswith(UNPREFIXED) or self.faults.admit():
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
                return  # held for MAX_HOLD_S: drop it unanswered
        except BaseException:
            pending.cancel()
            raise

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await pending

        await self.app(scope, replay, send)  # the switch was turned off: serve it after all


class PrefixSwitch:
    """`no_api_prefix`: `/api/...` answers 404 and the same routes answer at the root instead."""

    def __init__(self, app: ASGIApp, faults: StudioFaults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.faults.on("no_api_prefix"):
            path: str = scope["path"]
            if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                await drain(receive)
                await send_json(send, 404, {"detail": "Not Found"})
                return
            if not path.startswith(UNPREFIXED):
                scope = {**scope, "path": API_PREFIX + path, "raw_path": (API_PREFIX + path).encode()}
        await self.app(scope, receive, send)


class CorsSwitch:
    """Starlette's CORS middleware for the configured origins, or for every origin (`cors_wildcard`)."""

    def __init__(self, app: ASGIApp, faults: StudioFaults, origins: list[str]) -> None:
        self.faults = faults
        self.strict = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET", "POST"], allow_headers=["*"])
        self.wildcard = CORSMiddleware(app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self.wildcard if self.faults.on("cors_wildcard") else self.strict
        await chosen(scope, receive, send)


class BodyGuard:
    """Per POST path: the media type it takes (else 415) and, for uploads, the size limit (else 413)."""

    def __init__(
        self,
        app: ASGIApp,
        faults: StudioFaults,
        *,
        media_types: Mapping[str, str],
        limited: frozenset[str],
        max_bytes: int,
    ) -> None:
        self.app, self.faults = app, faults
        self.media_types, self.limited, self.max_bytes = dict(media_types), limited, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "POST" or path not in self.media_types:
            await self.app(scope, receive, send)
            return
        expected = self.media_types[path]
        given = header(scope, b"content-type")
        essence = given.split(";")[0].strip().lower()
        if essence != expected and not (expected == "application/json" and essence.endswith("+json")):
            await drain(receive)
            shown = given or "(none)"
            await send_json(send, 415, {"detail": f"Content-Type {shown!r} is not supported; expected {expected}"})
            return
        if path not in self.limited or self.faults.on("no_size_limit"):
            await self.app(scope, receive, send)
            return
        await self._limited(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = header(scope, b"content-length")
        too_big = {"detail": f"request body larger than the upload limit of {self.max_bytes} bytes"}
        if declared.isdigit() and int(declared) > self.max_bytes:
            await drain(receive)
            await send_json(send, 413, too_big)
            return
        buffered: list[Message] = []
        size = 0
        while True:  # chunked bodies carry no length: count while reading
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                if message.get("more_body", False):
                    await drain(receive)
                await send_json(send, 413, too_big)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)
