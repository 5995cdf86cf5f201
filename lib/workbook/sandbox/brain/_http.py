"""The brain's main port, as the real one serves it (FastAPI under uvicorn, one port for HTTP and
WebSocket, src/main.py of jomapps/mcp-brain-service d15715b):

* `GET /` -> `{"message": "MCP Brain Service is running"}`
* `GET /health` -> always 200 `{"status": "healthy" | "degraded", "service": "MCP Brain Service",
  "version", "timestamp", "components": {"neo4j": {...}, "jina": {...}}}`; it checks the store
  and calls the embedding provider on every request, one after the other.
* WebSocket `/`: the real `{"tool": ...}` dialect (`_tooljson`), no subprotocol selected,
  permessage-deflate (uvicorn's default), uvicorn's keepalive pings every 20 s.
* WebSocket `/mcp`: JSON-RPC MCP (`_protocol`; subprotocol `mcp` when offered). Not in the real
  brain (its MCP server speaks only stdio): kept because MCP-over-WebSocket servers exist.
* `/api/v1/...`: the REST routes with the bearer key (`_rest`).

With `refuse_reconnects` tripped, both WebSocket paths answer the handshake with HTTP 503.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, WebSocket
from fastapi.responses import JSONResponse

from ._characters import now_iso
from ._connection import McpConnection, ToolJsonConnection, Wire, WireClosed
from ._protocol import BrainApp, Session
from ._rest import rest_router

SERVICE = "MCP Brain Service"
log = logging.getLogger("workbook.sandbox.brain")


async def _refused(app: BrainApp, websocket: WebSocket) -> bool:
    if not app.faults.refusing:
        return False
    body = {"error": "refusing connections since a connection was dropped (refuse_reconnects switch)"}
    await websocket.send_denial_response(JSONResponse(body, status_code=503))
    return True


async def _serve(app: BrainApp, connection: ToolJsonConnection | McpConnection) -> None:
    stats = app.stats
    stats.connections_total += 1
    stats.connections_open += 1
    try:
        await connection.serve()
    except WireClosed:
        pass
    except Exception:  # a broken connection must not take the server down; log and move on
        log.exception("connection handler failed")
    finally:
        stats.connections_open -= 1


def main_app(app: BrainApp, session_factory: type[Session] = Session) -> FastAPI:
    api = FastAPI(title=SERVICE, description="Character embedding and semantic search service", version="1.0.0")
    api.include_router(rest_router(app))

    @api.get("/")
    async def root() -> dict[str, str]:
        return {"message": f"{SERVICE} is running"}

    @api.get("/health")
    async def health() -> dict[str, Any]:
        neo4j = app.characters.store_health()
        jina = await app.provider.health()
        healthy = neo4j.get("status") == "healthy" and jina.get("status") == "healthy"
        return {
            "status": "healthy" if healthy else "degraded",
            "service": SERVICE,
            "version": "1.0.0",
            "timestamp": now_iso() + "Z",
            "components": {"neo4j": neo4j, "jina": jina},
        }

    @api.websocket("/")
    async def tool_json(websocket: WebSocket) -> None:
        if await _refused(app, websocket):
            return
        await websocket.accept()
        await _serve(app, ToolJsonConnection(app, Wire(websocket)))

    @api.websocket("/mcp")
    async def mcp(websocket: WebSocket) -> None:
        if await _refused(app, websocket):
            return
        # The MCP SDK's WebSocket client offers "mcp"; other clients offer nothing. Accept both.
        offered = websocket.scope.get("subprotocols") or []
        await websocket.accept(subprotocol="mcp" if "mcp" in offered else None)
        await _serve(app, McpConnection(app, session_factory(app), Wire(websocket)))

    return api
