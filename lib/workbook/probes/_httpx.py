"""httpx's `AsyncClient` as a load transport: kept only to show, by measurement, why it is not used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._config import HttpTarget
from ._transport import Outcome, os_error_kind

if TYPE_CHECKING:
    import httpx


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
            return Outcome(None, error=os_error_kind(error))

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
