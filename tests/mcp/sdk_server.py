"""A brain service as a new user would write it on the official MCP Python SDK (mcp 1.30, FastMCP,
served over the SDK's WebSocket transport under uvicorn on 127.0.0.1): test-only, issue 16.

Written the SDK's natural way, not ours: `find_similar_characters` returns a list (FastMCP sends
`structuredContent: {"result": [...]}` plus one text item per element) ranked by ascending
`distance`; `create_character` returns a flat dict; both log through `ctx.info` (the client gets
`notifications/message`) and ping the client (`ctx.session.send_ping()`, which waits for the
client's answer); invalid calls come back as `isError` results; malformed JSON gets no reply at
all, only a log notification. `GET /health` answers JSON.

Prints `PORT <n>` once listening; exits when its stdin is closed (no orphan if pytest dies).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import sys
import warnings
from typing import Any

import uvicorn
from mcp.server.fastmcp import Context, FastMCP

with warnings.catch_warnings():
    # 1.30 marks the WebSocket transport deprecated (removed in mcp 2.x): exactly what is tested.
    warnings.simplefilter("ignore", DeprecationWarning)
    from mcp.server.websocket import websocket_server

server = FastMCP("brain-on-the-sdk")
CHARACTERS: dict[str, dict[str, Any]] = {}
IDS = itertools.count(1)


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def distance(a: str, b: str) -> float:
    """Jaccard distance of the word sets: 0 identical, 1 nothing in common."""
    left, right = words(a), words(b)
    return round(1.0 - len(left & right) / max(len(left | right), 1), 6)


@server.tool()
async def create_character(name: str, description: str, project_id: str, ctx: Context) -> dict[str, Any]:
    """Create a character in a project."""
    await ctx.info(f"creating {name!r} in {project_id}")
    await ctx.session.send_ping()
    character = {"id": f"c{next(IDS)}", "name": name, "description": description, "project_id": project_id}
    CHARACTERS[character["id"]] = character
    return character


@server.tool()
async def find_similar_characters(
    project_id: str, ctx: Context, query: str | None = None, character_id: str | None = None, top_k: int = 5
) -> list[dict[str, Any]]:
    """Characters of one project, most similar first (ascending distance)."""
    await ctx.info(f"searching {project_id}")
    await ctx.session.send_ping()
    if character_id is not None:
        found = CHARACTERS.get(character_id)
        if found is None or found["project_id"] != project_id:
            raise ValueError(f"no character {character_id} in project {project_id}")
        query = found["description"]
    if query is None:
        raise ValueError("give query or character_id")
    ranked = sorted(
        (
            {**c, "distance": distance(query, c["description"])}
            for c in CHARACTERS.values()
            if c["project_id"] == project_id and c["id"] != character_id
        ),
        key=lambda c: c["distance"],
    )
    return ranked[:top_k]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "websocket" and scope["path"] == "/mcp":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            transport = websocket_server(scope, receive, send)
        async with transport as (read, write):
            lowlevel = server._mcp_server
            await lowlevel.run(read, write, lowlevel.create_initialization_options())
        return
    if scope["type"] == "http":
        found = scope["path"] == "/health"
        body = json.dumps({"status": "ok"} if found else {"error": "not found"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found else 404,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def main() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="websockets-sansio")
    uv = uvicorn.Server(config)
    serving = asyncio.create_task(uv.serve(sockets=[sock]))
    while not uv.started:
        if serving.done():
            serving.result()
        await asyncio.sleep(0.01)
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    uv.should_exit = True
    await serving


if __name__ == "__main__":
    asyncio.run(main())
