"""Serving an ASGI app on a listening socket the launcher bound (`ServiceSpec.sockets`).

The launcher binds and listens before the stand-in starts, so a client that connects while the
process is still importing waits in the kernel's backlog instead of being refused. uvicorn's own
`--fd` assumes a Unix socket; building the socket from the fd lets Python detect its family.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn


def serve_on_fd(app: Any, fd: int, *, log_level: str = "warning") -> None:
    """Run `app` under uvicorn on the inherited listening socket `fd` until SIGTERM/SIGINT."""
    asyncio.run(serve_on_fd_async(app, fd, log_level=log_level))


async def serve_on_fd_async(app: Any, fd: int, *, log_level: str = "warning") -> None:
    sock = socket.socket(fileno=fd)
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", ws="websockets-sansio")
    await uvicorn.Server(config).serve(sockets=[sock])
