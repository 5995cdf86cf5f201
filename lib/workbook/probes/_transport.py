"""HTTP transports for the load path, behind one small interface so the engine can be tested
with fakes and the transport can be chosen by measurement.

Measured on this project's 2-core VM, one client core, closed loop against a static nginx
(`scripts/bench.py` prints the same comparison on every run; see also
shared/reference/perf-probes.md):

| transport | 10 connections | 50 connections | service p50 at 200 req/s |
|---|---|---|---|
| `httptools` (`_rawhttp`: asyncio protocol + llhttp) | 9.7-14.0 k req/s | 14.6-17.3 k req/s | 0.38-0.41 ms |
| `aiohttp` 3.14.5 | 3.1-5.1 k req/s | 3.9-5.6 k req/s | 0.67-0.71 ms |
| `httpx` 0.28.1, one shared async pool | ~1 k req/s | 0.14-0.23 k req/s, max latency 1.7-2.1 s | (not re-measured) |

(2026-11-21, with other test suites running on the same machine; `hey -c 1 -q 200` measured
0.3-0.4 ms and wrk 45-100 k req/s at 50 connections in the same runs)

so the default is `httptools`; `aiohttp` is the general fallback (and the only one of the two
for HEAD requests); `httpx` is kept only to show, by measurement, why it is not used for load.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

from ._config import HttpTarget
from ._errors import ProbeConfigError, ProbeError

if TYPE_CHECKING:
    import aiohttp
    import httpx
    from yarl import URL


class Outcome(NamedTuple):
    """What one request produced: an HTTP status, or an error kind (never both)."""

    status: int | None
    nbytes: int = 0
    error: str | None = None


class Transport(Protocol):
    """Sends one request at a time per caller; `open` sizes the connection pool."""

    name: str

    async def open(self, connections: int, timeout_s: float) -> None: ...

    async def send(self, target: HttpTarget) -> Outcome: ...

    async def close(self) -> None: ...


def _os_error_kind(error: OSError) -> str:
    return f"os:{errno.errorcode.get(error.errno or 0, type(error).__name__)}"


class AiohttpTransport:
    """One `aiohttp.ClientSession` with a keep-alive pool of exactly `connections` sockets."""

    name = "aiohttp"

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[str, URL] = {}

    async def open(self, connections: int, timeout_s: float) -> None:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=timeout_s),
            # No cookie handling or decompression: they cost CPU and a probe needs neither.
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
        )

    async def send(self, target: HttpTarget) -> Outcome:
        import aiohttp
        from yarl import URL

        session = self._session
        if session is None:
            raise RuntimeError("transport used before open()")
        url = self._urls.get(target.url)
        if url is None:
            # Parse once: re-parsing the URL on every request is measurable at 10 k req/s.
            url = self._urls[target.url] = URL(target.url)
        try:
            # No redirects: a probe measures the configured URL and sends nowhere else.
            async with session.request(
                target.method, url, data=target.body, headers=target.headers or None, allow_redirects=False
            ) as response:
                body = await response.read()
                return Outcome(response.status, len(body))
        except TimeoutError:
            return Outcome(None, error="timeout")
        except aiohttp.ClientConnectorError:
            return Outcome(None, error="connect")
        except aiohttp.ServerDisconnectedError:
            return Outcome(None, error="disconnected")
        except aiohttp.ClientPayloadError:
            return Outcome(None, error="payload")
        except aiohttp.ClientResponseError as error:
            return Outcome(None, error=f"protocol:{type(error).__name__}")
        except aiohttp.ClientError as error:
            return Outcome(None, error=type(error).__name__)
        except OSError as error:
            return Outcome(None, error=_os_error_kind(error))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpxTransport:
    """httpx's `AsyncClient` with one shared pool: the naive design, kept to measure against."""

    name = "httpx"

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    async def open(self, connections: int, timeout_s: float) -> None:
        import httpx

        self._client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            timeout=timeout_s,
        )

    async def send(self, target: HttpTarget) -> Outcome:
        import httpx

        client = self._client
        if client is None:
            raise RuntimeError("transport used before open()")
        try:
            response = await client.request(
                target.method, target.url, content=target.body, headers=dict(target.headers)
            )
            return Outcome(response.status_code, len(response.content))
        except httpx.TimeoutException:
            return Outcome(None, error="timeout")
        except httpx.ConnectError:
            return Outcome(None, error="connect")
        except httpx.RemoteProtocolError:
            return Outcome(None, error="disconnected")
        except httpx.HTTPError as error:
            return Outcome(None, error=type(error).__name__)
        except OSError as error:
            return Outcome(None, error=_os_error_kind(error))

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _raw() -> Transport:
    try:
        from ._rawhttp import RawHttpTransport
    except ImportError as error:
        raise ProbeError(
            f"the httptools transport needs the httptools package ({error}); install the project's "
            "pinned dependencies, or pass transport='aiohttp'"
        ) from error
    return RawHttpTransport()


TRANSPORTS: dict[str, Callable[[], Transport]] = {
    "aiohttp": AiohttpTransport,
    "httpx": HttpxTransport,
    "httptools": _raw,
}
DEFAULT_TRANSPORT = "httptools"

TransportFactory = Callable[[], Transport]


def transport_factory(name_or_factory: str | TransportFactory) -> TransportFactory:
    if callable(name_or_factory):
        return name_or_factory
    try:
        return TRANSPORTS[name_or_factory]
    except KeyError:
        raise ProbeConfigError("transport", name_or_factory, f"one of {sorted(TRANSPORTS)}") from None


async def cancel_and_wait(tasks: set[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
