"""Network side of the brain stand-in: the main port (the real brain's HTTP + WebSocket app,
`_http.py`) and the admin port, both FastAPI under uvicorn on listening sockets bound by the caller.

* Main port: `GET /`, `GET /health`, WebSocket `/` (tool-json) and `/mcp` (JSON-RPC MCP), REST
  `/api/v1/...` (`_http.py`, `_rest.py`).
* Admin port: `GET /health`, `GET /_sandbox/stats`, the fault-switch contract under
  `/_sandbox/faults`, the shape options under `/_sandbox/options` (`_options.py`) and the tool-call
  log under `/_sandbox/requests`.

What one connection does is in `_connection.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI

from .._faults_http import faults_router
from .._requestlog import requests_router
from ._http import main_app
from ._options import options_router
from ._protocol import BrainApp, Session

HEALTH_PATH = "/health"
log = logging.getLogger("workbook.sandbox.brain")


def admin_app(app: BrainApp) -> FastAPI:
    api = FastAPI(title="brain stand-in admin", docs_url=None, redoc_url=None, openapi_url=None)
    api.include_router(faults_router(app.faults))
    api.include_router(options_router(app.options))
    api.include_router(requests_router(app.requests))

    @api.get(HEALTH_PATH)
    def health() -> dict[str, Any]:
        return app.info()

    @api.get("/_sandbox/stats")
    def stats() -> dict[str, Any]:
        return app.info()

    return api


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # run() owns SIGTERM/SIGINT for both servers; uvicorn would re-raise them on exit.
        yield


async def _start(server: _Server, sock: socket.socket) -> asyncio.Task[None]:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError(f"server on {sock.getsockname()} exited during startup")
        await asyncio.sleep(0.01)
    return task


async def run(
    app: BrainApp,
    *,
    sock: socket.socket,
    admin_sock: socket.socket,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
    session_factory: type[Session] = Session,
) -> None:
    """Serve on two listening sockets until SIGTERM/SIGINT or `stop` is set; `ready` is set once both serve.

    The sockets are bound by the caller (the launcher, before this process starts): binding a port
    number here could find it taken, after something else had already answered /health on it.
    Signal handlers are installed only in the main thread (tests may run this in a worker thread).
    """
    # The real brain runs uvicorn with its defaults: permessage-deflate, keepalive pings every 20 s.
    main = _Server(
        uvicorn.Config(
            main_app(app, session_factory),
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            ws_max_size=4 * 1024 * 1024,
        )
    )
    admin = _Server(uvicorn.Config(admin_app(app), log_level="warning", lifespan="off", ws="none"))
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    host, port = sock.getsockname()[:2]
    tasks: list[asyncio.Task[None]] = []
    try:
        tasks.append(await _start(admin, admin_sock))
        tasks.append(await _start(main, sock))
        log.warning(
            "brain stand-in ready: http://%s:%d (ws / tool-json, ws /mcp JSON-RPC), admin http://%s:%d (embedding %s)",
            host,
            port,
            host,
            admin_sock.getsockname()[1],
            app.embedder.label["name"],
        )
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        for server in (main, admin):
            server.should_exit = True
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=5)
        for sig in handled:
            loop.remove_signal_handler(sig)
