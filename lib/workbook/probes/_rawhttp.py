"""A keep-alive HTTP/1.1 load transport on asyncio protocols with `httptools` (llhttp) parsing.

Why it exists: on this project's 2-core VM aiohttp spends ~150-200 µs of CPU per request, which
caps a one-core probe near 5-6 k req/s, below the 9 k req/s the benchmark asks for; a protocol
that writes a pre-built request and lets llhttp (C) parse the response does the same work in a
fraction of that (`scripts/bench.py` measures both side by side). Like wrk, each connection
carries one request at a time; the pool holds at most `connections` of them.

A request on a kept-alive connection that the target had closed while idle is retried once on a
fresh connection when it is idempotent and no response byte had arrived (what aiohttp, httpx
and browsers do); the retry's time is part of the measured latency.

Scope, on purpose: HTTP/1.1 over TCP or TLS, any method except HEAD (a HEAD response announces a
body it does not send, which needs the request context llhttp is not given here), a fixed body
per target. Anything the target sends that llhttp rejects is an error of kind `protocol`.
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

import httptools

from ._config import HttpTarget
from ._errors import ProbeConfigError
from ._transport import Outcome

IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "OPTIONS", "TRACE"})
# request bytes, host, port, TLS context (None for plain HTTP)
_Prepared = tuple[bytes, str, int, ssl.SSLContext | None]


class _Connection(asyncio.Protocol):
    """One socket; `request` sends pre-built bytes and resolves when the response is complete."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[None] | None = None
        self.nbytes = 0
        # Bytes received since the current request was written (0: no response has started).
        self.received = 0
        self.open = False
        self.reusable = True

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.open = True

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(error)

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self._fail(exc or ConnectionResetError("connection closed by the target"))

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.nbytes = 0

    def on_body(self, body: bytes) -> None:
        self.nbytes += len(body)

    def on_message_complete(self) -> None:
        self.reusable = self.parser.should_keep_alive()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def _fail(self, error: BaseException) -> None:
        self.reusable = False
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(error)

    async def request(self, payload: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.received = 0
        self.transport.write(payload)
        await self.waiter
        return int(self.parser.get_status_code())

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()


class RawHttpTransport:
    """`Transport` for the load path: pre-built requests, llhttp parsing, a LIFO keep-alive pool."""

    name = "httptools"

    def __init__(self) -> None:
        self._idle: list[_Connection] = []
        self._all: set[_Connection] = set()
        # Keyed by id(): targets hold a headers dict and are not hashable; the target is kept alive.
        self._payloads: dict[int, tuple[HttpTarget, _Prepared]] = {}
        self._timeout_s = 10.0

    async def open(self, connections: int, timeout_s: float) -> None:
        self._timeout_s = timeout_s

    def _prepare(self, target: HttpTarget) -> _Prepared:
        cached = self._payloads.get(id(target))
        if cached is not None and cached[0] is target:
            return cached[1]
        if target.method == "HEAD":
            raise ProbeConfigError(
                "method for the httptools transport", "HEAD", "any other method, or transport='aiohttp'"
            )
        parts = urlsplit(target.url)
        host = parts.hostname or ""
        tls = parts.scheme == "https"
        port = parts.port or (443 if tls else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = target.body or b""
        headers = {"Host": parts.netloc, "User-Agent": "workbook-probe", "Accept": "*/*", **target.headers}
        if body or target.method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        head = f"{target.method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        payload = head.encode("latin-1") + b"\r\n" + body
        context = ssl.create_default_context() if tls else None
        prepared = (payload, host, port, context)
        self._payloads[id(target)] = (target, prepared)
        return prepared

    async def send(self, target: HttpTarget) -> Outcome:
        payload, host, port, context = self._prepare(target)
        connection: _Connection | None = None
        try:
            async with asyncio.timeout(self._timeout_s):
                connection = self._take_idle()
                reused = connection is not None
                for attempt in (1, 2):
                    if connection is None:
                        connection = await self._connect(host, port, context)
                    try:
                        status = await connection.request(payload)
                        break
                    except (ConnectionResetError, BrokenPipeError):
                        # The target may close a kept-alive connection while it is idle, without
                        # announcing it (RFC 9112 §9.3.1); like other clients, retry an idempotent
                        # request once on a fresh connection if nothing of a response had arrived.
                        retry = reused and attempt == 1 and not connection.received
                        if not (retry and target.method in IDEMPOTENT):
                            raise
                        self._drop(connection, "")
                        connection = None
        except TimeoutError:
            return self._drop(connection, "timeout")
        except OSError as error:
            kind = "connect" if connection is None else "disconnected"
            if connection is not None and not isinstance(error, ConnectionResetError | BrokenPipeError):
                kind = f"os:{type(error).__name__}"
            return self._drop(connection, kind)
        except httptools.HttpParserError:
            return self._drop(connection, "protocol")
        # The loop above either broke out with an answered connection or raised.
        assert connection is not None
        if connection.reusable and connection.open:
            self._idle.append(connection)
        else:
            self._drop(connection, "")
        return Outcome(status, connection.nbytes)

    def _take_idle(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.open:
                return connection
            self._drop(connection, "")
        return None

    async def _connect(self, host: str, port: int, context: ssl.SSLContext | None) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            _Connection, host, port, ssl=context, server_hostname=host if context else None
        )
        self._all.add(connection)
        return connection

    def _drop(self, connection: _Connection | None, kind: str) -> Outcome:
        if connection is not None:
            connection.close()
            self._all.discard(connection)
        return Outcome(None, error=kind)

    async def close(self) -> None:
        for connection in list(self._all):
            connection.close()
        self._all.clear()
        self._idle.clear()
        # Let the transports run their close callbacks before the loop goes away.
        await asyncio.sleep(0)
