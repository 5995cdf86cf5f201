"""Serving a FastAPI app under uvicorn on a listening socket the launcher bound (`ServiceSpec.sockets`),
so a client that connects while the process still imports waits in the backlog instead of being refused."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn


def serve_on_fd(app: Any, fd: int, *, log_level: str = "warning") -> None:
    sock = socket.socket(fileno=fd)
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", ws="none")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
