"""Opening a WebSocket to a brain: one place for the connect options every dialect uses (no proxy:
measure the target; no keepalive pings of our own: traffic the probe did not ask for), the timed
opening handshake, and the one translation of why it failed into `McpConnectError`."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.typing import Subprotocol

from ._errors import McpConnectError
from ._settings import ConnectionSettings


async def open_websocket(
    settings: ConnectionSettings, *, subprotocols: Sequence[str] | None = None
) -> tuple[ClientConnection, float]:
    """The open connection and the seconds its opening handshake (TCP + HTTP upgrade) took.

    `subprotocols` overrides the settings' own (tool-json offers none, as the real brain's clients do).
    """
    offered = settings.subprotocols if subprotocols is None else tuple(subprotocols)
    started = time.perf_counter()
    try:
        connection = await asyncio.wait_for(
            connect(
                settings.ws_url,
                subprotocols=[Subprotocol(p) for p in offered] or None,
                compression=settings.compression,
                additional_headers=dict(settings.headers) or None,
                **_tls(settings),
                proxy=None,
                open_timeout=None,
                ping_interval=None,
                close_timeout=2,
                max_size=16 * 1024 * 1024,
            ),
            timeout=settings.open_timeout_s,
        )
    except TimeoutError as error:
        raise McpConnectError(
            settings.ws_url, f"no WebSocket handshake within {settings.open_timeout_s:g} s", timed_out=True
        ) from error
    except (OSError, InvalidHandshake, InvalidURI, ConnectionClosed) as error:
        raise McpConnectError(settings.ws_url, f"{type(error).__name__}: {error}") from error
    return connection, time.perf_counter() - started


def _tls(settings: ConnectionSettings) -> dict[str, Any]:
    """websockets' `ssl` for a wss:// URL whose profile turns verification off or names a CA bundle."""
    if urlsplit(settings.ws_url).scheme != "wss" or (settings.verify_tls and not settings.ca_bundle):
        return {}
    if not settings.verify_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return {"ssl": context}
    return {"ssl": ssl.create_default_context(cafile=settings.ca_bundle)}
