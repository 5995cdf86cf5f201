"""Network side of the brain stand-in: the MCP WebSocket server and the admin HTTP server.

* WebSocket port: `ws://127.0.0.1:<port>/mcp` (subprotocol `mcp` when the client offers it) and
  `GET /health` answered as plain HTTP by websockets' `process_request`.
* Admin port (FastAPI + uvicorn, because websockets' HTTP side only knows GET):
  `GET /health`, `GET /_sandbox/stats`, the fault-switch contract under `/_sandbox/faults`, and
  the shape options under `/_sandbox/options` (`_options.py`).

What one connection does is in `_connection.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import uvicorn
from fastapi import FastAPI
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .._faults_http import faults_router
from .._requestlog import requests_router
from ._connection import Connection
from ._options import options_router
from ._protocol import BrainApp, Session

WS_PATH = "/mcp"
HEALTH_PATH = "/health"
log = logging.getLogger("workbook.sandbox.brain")


def _json_response(status: http.HTTPStatus, payload: dict[str, Any]) -> Response:
    body = json.dumps(payload).encode()
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return Response(status.value, status.phrase, headers, body)


class BrainServer:
    def __init__(self, app: BrainApp, session_factory: Callable[[BrainApp], Session] = Session) -> None:
        self.app = app
        self.session_factory = session_factory

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == HEALTH_PATH:
            return _json_response(http.HTTPStatus.OK, self.app.info())
        if path != WS_PATH:
            return _json_response(http.HTTPStatus.NOT_FOUND, {"error": f"no such path {path!r}; MCP is at {WS_PATH}"})
        if self.app.faults.refusing:
            return _json_response(
                http.HTTPStatus.SERVICE_UNAVAILABLE,
                {"error": "refusing connections since a connection was dropped (refuse_reconnects switch)"},
            )
        return None

    async def handler(self, connection: ServerConnection) -> None:
        stats = self.app.stats
        stats.connections_total += 1
        stats.connections_open += 1
        try:
            await Connection(self.app, self.session_factory(self.app), connection).serve()
        except Exception:  # a broken connection must not take the server down; log and move on
            log.exception("connection handler failed")
        finally:
            stats.connections_open -= 1

    def admin_app(self) -> FastAPI:
        api = FastAPI(title="brain stand-in admin", docs_url=None, redoc_url=None, openapi_url=None)
        api.include_router(faults_router(self.app.faults))
        api.include_router(options_router(self.app.options))
        api.include_router(requests_router(self.app.requests))

        @api.get(HEALTH_PATH)
        def health() -> dict[str, Any]:
            return self.app.info()

        @api.get("/_sandbox/stats")
        def stats() -> dict[str, Any]:
            return self.app.info()

        return api


def _select_subprotocol(connection: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
    # The MCP SDK's WebSocket client offers "mcp"; other clients offer nothing. Accept both.
    return Subprotocol("mcp") if "mcp" in offered else None


class _AdminServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # run() owns SIGTERM/SIGINT for both servers; uvicorn would re-raise them on exit.
        yield


async def run(
    app: BrainApp,
    *,
    sock: socket.socket,
    admin_sock: socket.socket,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
    session_factory: Callable[[BrainApp], Session] = Session,
) -> None:
    """Serve on two listening sockets until SIGTERM/SIGINT or `stop` is set; `ready` is set once both serve.

    The sockets are bound by the caller (the launcher, before this process starts): binding a port
    number here could find it taken, after something else had already answered /health on it.
    Signal handlers are installed only in the main thread (tests may run this in a worker thread).
    """
    brain = BrainServer(app, session_factory)
    admin = _AdminServer(uvicorn.Config(brain.admin_app(), log_level="warning", lifespan="off", ws="none"))
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    host, port = sock.getsockname()[:2]
    admin_port = admin_sock.getsockname()[1]
    admin_task = asyncio.create_task(admin.serve(sockets=[admin_sock]))
    try:
        while not admin.started:
            if admin_task.done():
                admin_task.result()
                raise RuntimeError(f"admin server on {host}:{admin_port} exited during startup")
            await asyncio.sleep(0.01)
        async with serve(
            brain.handler,
            sock=sock,
            select_subprotocol=_select_subprotocol,
            process_request=brain.process_request,
            # The stand-in never pings on its own; probes measure only the traffic they send.
            ping_interval=None,
            max_size=4 * 1024 * 1024,
        ):
            log.warning(
                "brain stand-in ready: ws://%s:%d%s, admin http://%s:%d (embedding %s)",
                host,
                port,
                WS_PATH,
                host,
                admin_port,
                app.embedder.label["name"],
            )
            if ready is not None:
                ready.set()
            await stop.wait()
    finally:
        admin.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(admin_task, timeout=5)
        for sig in handled:
            loop.remove_signal_handler(sig)
