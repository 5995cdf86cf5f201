"""Opening a WebSocket to a brain: one place for the connect options every dialect uses (no proxy:
measure the target; no keepalive pings of our own: traffic the probe did not ask for), the timed
opening handshake, and the one translation of why it failed into `McpConnectError`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

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
