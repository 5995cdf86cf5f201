"""What the cross-service stand-ins (`characters`, `story`) share: the correlation-id middleware,
the `outage` condition, the project id path rule, failed-hop errors, one MCP tool call to the
brain, one REST call to a peer.

Errors a caller can act on carry the failing hop: `{"error": ..., "failed_hop": "brain",
"request_id": ...}` with 503 when the hop is unreachable or failing and 424 when it answered but
refused what this service depends on. A request without `X-Request-ID` gets a new id; every
response carries it back.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from ._faults import FaultSwitches
from ._requestlog import MCP_META_KEY, REQUEST_ID_HEADER, RequestLog

OUTAGE = "outage"
# A project id as both services accept it in their paths (`/projects/{project_id}/...`).
PROJECT_ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,200}$"
MCP_PROTOCOL_VERSION = "2025-06-18"
CALL_TIMEOUT_S = 10.0
ADMIN_PREFIX = "/_sandbox"


class OnOffSwitches(FaultSwitches):
    """Switches that are on (true) or off (false/null), nothing else."""

    def update(self, changes: Mapping[str, Any]) -> None:
        for name, value in changes.items():
            if value not in (None, False, True):
                raise ValueError(f"{name} is on (true) or off (false/null), got {value!r}")
        super().update(changes)


class HopError(Exception):
    """A call to another service failed; `status` is what this service answers its caller."""

    def __init__(self, hop: str, message: str, *, status: int = 503) -> None:
        super().__init__(message)
        self.hop = hop
        self.status = status


def project_path() -> Any:
    """The `project_id` path parameter, validated by the one shared pattern."""
    return PathParam(pattern=PROJECT_ID_PATTERN)


def new_request_id() -> str:
    return f"req-{uuid.uuid4().hex[:16]}"


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or new_request_id()


def install_middleware(app: FastAPI, service: str, log: RequestLog, switches: FaultSwitches) -> None:
    """Correlation id in and out, one log entry per request, the `outage` condition, HopError -> JSON."""

    @app.middleware("http")
    async def correlate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        rid = request.headers.get(REQUEST_ID_HEADER) or new_request_id()
        request.state.request_id = rid
        admin = request.url.path.startswith(ADMIN_PREFIX) or request.url.path == "/health"
        started, began = time.time(), time.perf_counter()
        if not admin and switches.on(OUTAGE):
            response: Response = JSONResponse(
                {"error": f"{service} is unavailable (sandbox outage)", "failed_hop": service, "request_id": rid},
                status_code=503,
                headers={"Retry-After": "1"},
            )
        else:
            response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = rid
        if not admin:
            log.record(
                rid,
                f"{request.method} {request.url.path}",
                at=started,
                duration_ms=round((time.perf_counter() - began) * 1000, 3),
                status=response.status_code,
                caller=request.headers.get("X-Caller", request.headers.get("User-Agent", "")),
            )
        return response

    @app.exception_handler(HopError)
    async def hop_error(request: Request, error: HopError) -> JSONResponse:
        return JSONResponse(
            {"error": str(error), "failed_hop": error.hop, "request_id": request_id(request)},
            status_code=error.status,
        )


async def call_brain_tool(
    ws_url: str,
    tool: str,
    arguments: Mapping[str, Any],
    *,
    rid: str | None,
    log: RequestLog,
    timeout_s: float = CALL_TIMEOUT_S,
) -> dict[str, Any]:
    """One `tools/call` on a fresh MCP connection; the tool's structured result, or HopError("brain").

    `rid` goes into `params._meta` (None leaves it out). A tool result with `isError` is a 424 (the
    brain answered and refused); anything else that fails is a 503 (the brain is unavailable).
    """
    params: dict[str, Any] = {"name": tool, "arguments": dict(arguments)}
    if rid:
        params["_meta"] = {MCP_META_KEY: rid}
    with log.timed(rid, f"mcp {tool}", target="brain") as note:
        try:
            result = await asyncio.wait_for(_one_call(ws_url, params), timeout=timeout_s)
        except TimeoutError:
            note["error"] = "timeout"
            raise HopError("brain", f"the brain did not answer {tool} within {timeout_s:g} s") from None
        except (OSError, InvalidHandshake, InvalidURI, ConnectionClosed) as error:
            note["error"] = type(error).__name__
            raise HopError("brain", f"the brain is unreachable ({type(error).__name__}: {error})") from None
        if "error" in result:
            note["error"] = f"rpc {result['error'].get('code')}"
            raise HopError("brain", f"the brain failed {tool}: {result['error'].get('message')}") from None
        body = result["result"]
        if body.get("isError"):
            text = " ".join(str(item.get("text", "")) for item in body.get("content", []))
            note["error"] = "tool error"
            raise HopError("brain", f"the brain refused {tool}: {text}", status=424)
        return tool_payload(body)


def tool_payload(body: Mapping[str, Any]) -> dict[str, Any]:
    # The platform's own reading of the brain, deliberately not the workbook's (`workbook.mcp.tool_data`):
    # a check compares what these services did with what the brain says, so a shared misreading
    # would make both sides agree.
    """A tool result's payload in every shape correct servers send (structured or text, FastMCP's
    wrapped list), with each similarity result carrying a `score` (cosine; from `distance` = 1 - cosine)."""
    structured = body.get("structuredContent")
    if isinstance(structured, dict):
        payload = {"results": structured["result"]} if isinstance(structured.get("result"), list) else dict(structured)
    else:
        texts = [item.get("text", "") for item in body.get("content", []) if item.get("type") == "text"]
        parsed = [json.loads(text) for text in texts if text.strip().startswith(("{", "["))]
        payload = dict(parsed[0]) if len(parsed) == 1 and isinstance(parsed[0], dict) else {"results": parsed}
    if isinstance(payload.get("results"), list):
        payload["results"] = [_scored(item) for item in payload["results"] if isinstance(item, dict)]
    return payload


def _scored(result: dict[str, Any]) -> dict[str, Any]:
    if "score" not in result and isinstance(result.get("distance"), int | float):
        return {**result, "score": 1.0 - float(result["distance"])}
    return result


async def _one_call(ws_url: str, params: dict[str, Any]) -> dict[str, Any]:
    async with connect(ws_url, subprotocols=None, proxy=None, ping_interval=None, close_timeout=1) as ws:
        await ws.send(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {
                        "protocolVersion": MCP_PROTOCOL_VERSION,
                        "capabilities": {},
                        "clientInfo": {"name": "workbook-sandbox-service", "version": "0.1.0"},
                    },
                }
            )
        )
        init = await _reply(ws, 1)
        if "error" in init:
            return init
        await ws.send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": params}))
        return await _reply(ws, 2)


async def _reply(ws: Any, wanted: int) -> dict[str, Any]:
    """The reply to request `wanted`; notifications are skipped and server pings answered."""
    while True:
        message = json.loads(await ws.recv())
        if not isinstance(message, dict):
            continue
        if "method" in message:
            if message.get("method") == "ping" and "id" in message:
                await ws.send(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": {}}))
            continue
        if message.get("id") == wanted:
            return message


async def call_peer(
    client: httpx.AsyncClient,
    hop: str,
    method: str,
    url: str,
    *,
    rid: str | None,
    log: RequestLog,
    caller: str,
    json_body: Any = None,
) -> httpx.Response:
    """A REST call to another stand-in with the correlation id; unreachable or 5xx -> HopError(hop)."""
    headers = {"X-Caller": caller}
    if rid:
        headers[REQUEST_ID_HEADER] = rid
    with log.timed(rid, f"{method} {hop}", target=hop, url=url) as note:
        try:
            response = await client.request(method, url, headers=headers, json=json_body)
        except httpx.HTTPError as error:
            note["error"] = type(error).__name__
            raise HopError(hop, f"{hop} is unreachable ({type(error).__name__}: {error})") from None
        note["status"] = response.status_code
        if response.status_code >= 500:
            try:
                detail = response.json().get("error", response.text)
            except ValueError:
                detail = response.text[:200]
            raise HopError(hop, f"{hop} answered {response.status_code}: {detail}")
        return response
