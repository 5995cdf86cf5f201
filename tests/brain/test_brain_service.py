"""The brain stand-in as the launcher runs it: a subprocess with the real brain's port (HTTP, the
`{"tool": ...}` WebSocket at `/`, JSON-RPC MCP at `/mcp`, REST with the bearer key) and an admin port."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from wb_testing import live_pids
from workbook.sandbox import Sandbox, ServiceContext, clear_faults, set_faults
from workbook.sandbox.brain import service
from workbook.sandbox.brain._switches import KNOWN

HASHING = {"WORKBOOK_BRAIN_EMBEDDINGS": "hashing"}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18"}}
CREATE = {
    "tool": "create_character",
    "project_id": "svc-test",
    "name": "A",
    "personality_description": "a brave knight",
    "appearance_description": "tall, in dented armour",
}


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    # Whatever is installed, these tests pin the deterministic fallback (given to the stand-in only).
    with Sandbox(["brain"], state_dir=tmp_path_factory.mktemp("brain"), env=HASHING) as sandbox:
        yield sandbox
        pids = sandbox.all_pids()
        log_file = sandbox.log_file("brain")
    assert live_pids(pids) == []
    assert "Traceback" not in log_file.read_text()


@pytest.fixture(autouse=True)
def _no_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "brain" in request.fixturenames:
        clear_faults(request.getfixturevalue("brain").outputs["brain"]["admin_url"])


def test_spec_binds_two_loopback_sockets_and_starts_nothing(tmp_path: Path) -> None:
    spec = service(ServiceContext(state_dir=tmp_path))
    bound = [sock.getsockname() for sock in spec.sockets]
    fds = [str(sock.fileno()) for sock in spec.sockets]
    for sock in spec.sockets:
        sock.close()
    out = spec.outputs
    port = int(out["url"].rsplit(":", 1)[1])
    admin_port = int(out["admin_url"].rsplit(":", 1)[1])
    # The published ports are the sockets handed to the process, whose fds are on its command line.
    assert sorted(bound) == sorted([("127.0.0.1", port), ("127.0.0.1", admin_port)]) and port != admin_port
    assert spec.argv[-4:] == ["--fd", fds[0], "--admin-fd", fds[1]]
    assert spec.argv[:3] == [sys.executable, "-m", "workbook.sandbox.brain"]
    # The real brain's layout: one port, its WebSocket at the root, JSON-RPC MCP kept at /mcp.
    assert out["ws_url"] == f"ws://127.0.0.1:{port}/" and out["mcp_url"] == f"ws://127.0.0.1:{port}/mcp"
    assert out["health_url"] == f"http://127.0.0.1:{port}/health" and spec.ready_url.endswith("/api/v1/health")
    # The REST key: a secret for kernels, handed to the process under the real brain's variable.
    (key,) = spec.secrets.values()
    assert list(spec.secrets) == ["SANDBOX_BRAIN_API_KEY"] and spec.env["BRAIN_SERVICE_API_KEY"] == key


def test_health_root_and_static_health_as_the_real_brain_answers(brain: Sandbox) -> None:
    outputs = brain.outputs["brain"]
    body = httpx.get(outputs["health_url"], timeout=5).json()
    assert body["status"] == "healthy" and body["service"] == "MCP Brain Service"
    assert set(body["components"]) == {"neo4j", "jina"}
    assert body["components"]["jina"]["model"].startswith("hashing")
    assert httpx.get(outputs["url"] + "/", timeout=5).json() == {"message": "MCP Brain Service is running"}
    static = httpx.get(outputs["url"] + "/api/v1/health", timeout=5).json()
    assert static["status"] == "healthy" and "components" not in static
    admin = httpx.get(outputs["admin_url"] + "/health", timeout=5).json()
    assert admin["embedding"]["kind"] == "deterministic-fallback"
    assert admin["dialects"] == {"/": "tool-json", "/mcp": "mcp-jsonrpc"}
    assert httpx.get(outputs["url"] + "/nope", timeout=5).status_code == 404


def test_store_down_keeps_health_200_but_degraded_and_fails_tool_calls(brain: Sandbox) -> None:
    outputs = brain.outputs["brain"]
    set_faults(outputs["admin_url"], {"store_down": True})
    response = httpx.get(outputs["health_url"], timeout=5)
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    neo4j = response.json()["components"]["neo4j"]
    assert neo4j["status"] == "unhealthy" and "Connection refused" in neo4j["error"]
    reply = asyncio.run(_exchange(outputs["ws_url"], [CREATE]))[0]
    assert reply["status"] == "error" and reply["message"].startswith("Failed to create character: Couldn't connect")


def test_provider_hang_blocks_health_for_the_clients_timeouts(brain: Sandbox) -> None:
    outputs = brain.outputs["brain"]
    # 0.2 s per attempt: 3 x 0.2 + 1 + 2 s of back-off = 3.6 s on an unscaled clock.
    set_faults(outputs["admin_url"], {"embedding_provider_hangs": 0.2})
    started = time.perf_counter()
    body = httpx.get(outputs["health_url"], timeout=30).json()
    assert time.perf_counter() - started >= 3.5
    assert body["status"] == "degraded" and "Jina API timeout after 3 retries" in body["components"]["jina"]["error"]


def test_rest_routes_want_the_bearer_key(brain: Sandbox) -> None:
    outputs, key = brain.outputs["brain"], brain.secrets["SANDBOX_BRAIN_API_KEY"]
    url, node = (
        outputs["url"] + "/api/v1",
        {"type": "note", "content": "a harbour at dawn, soft light", "projectId": "p"},
    )
    missing = httpx.post(url + "/nodes", json=node, timeout=5)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["header", "authorization"]
    wrong = httpx.post(url + "/nodes", json=node, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert wrong.status_code == 401 and wrong.json() == {"detail": "Invalid API key"}
    for auth in (f"Bearer {key}", key):  # the real brain also takes the bare key
        created = httpx.post(url + "/nodes", json=node, headers={"Authorization": auth}, timeout=5)
        assert created.status_code == 200 and created.json()["node"]["projectId"] == "p"
    headers = {"Authorization": f"Bearer {key}"}
    node_id = created.json()["node"]["id"]
    # A node read has no project filter (real): any key-holder reads any project's node by id.
    read = httpx.get(f"{url}/nodes/{node_id}", headers=headers, timeout=5).json()["node"]
    assert read["properties"]["project_id"] == "p" and read["type"] == "unknown"
    found = httpx.post(url + "/search", json={"query": "harbour dawn", "project_id": "p"}, headers=headers).json()
    assert found["total_count"] == 2 and found["results"][0]["content"] == ""
    other = httpx.post(url + "/search", json={"query": "harbour dawn", "project_id": "q"}, headers=headers).json()
    assert other["total_count"] == 0
    short = httpx.post(url + "/nodes", json={**node, "content": "tiny"}, headers=headers, timeout=5)
    assert short.status_code == 400 and short.json()["detail"]["error"] == "validation_failed"
    gone = httpx.delete(f"{url}/nodes/{node_id}", params={"project_id": "q"}, headers=headers, timeout=5)
    assert gone.status_code == 404 and gone.json()["detail"]["error"] == "node_not_found"


def test_fault_switch_contract(brain: Sandbox) -> None:
    admin = brain.outputs["brain"]["admin_url"]
    faults_url = admin + "/_sandbox/faults"
    assert httpx.get(faults_url).json() == {"faults": {}, "known": sorted(KNOWN)}
    assert set_faults(admin, {"added_latency_ms": 5, "error_rate": 0.5}) == {
        "added_latency_ms": 5,
        "error_rate": 0.5,
    }
    assert set_faults(admin, {"error_rate": None}) == {"added_latency_ms": 5}
    for bad in ({"no_such_switch": True}, {"error_rate": 3}, {"drop_connections": "x"}, {"leak_projects": 1}):
        response = httpx.put(faults_url, json=bad)
        assert response.status_code == 400
        assert next(iter(bad)) in response.json()["detail"]
    assert httpx.delete(faults_url).json()["faults"] == {}


def test_mcp_at_mcp_negotiates_the_subprotocol_when_offered(brain: Sandbox) -> None:
    mcp_url = brain.outputs["brain"]["mcp_url"]

    async def subprotocol(offer: list[str] | None) -> str | None:
        async with connect(mcp_url, subprotocols=offer, proxy=None) as ws:  # type: ignore[arg-type]
            await ws.send(json.dumps(INIT))
            assert json.loads(await ws.recv())["result"]["protocolVersion"] == "2025-06-18"
            return ws.subprotocol

    assert asyncio.run(subprotocol(["mcp"])) == "mcp"
    assert asyncio.run(subprotocol(None)) is None


def test_root_websocket_speaks_the_flat_tool_envelope(brain: Sandbox) -> None:
    ws_url = brain.outputs["brain"]["ws_url"]
    find = {"id": "x-1", "tool": "find_similar_characters", "project_id": CREATE["project_id"], "query": "knight"}
    replies = asyncio.run(_exchange(ws_url, [CREATE, find, INIT, {"tool": "nope"}, "{bad"]))
    created, found, init, unknown, bad = replies
    assert created["status"] == "success" and created["message"] == "Character created successfully."
    assert str(uuid.UUID(created["character_id"])) == created["character_id"]  # server-made uuid4
    assert found == {
        "status": "success",
        "results": [
            {"id": created["character_id"], "name": "A", "similarity_score": found["results"][0]["similarity_score"]}
        ],
    }
    assert "id" not in found  # a request id is never echoed
    # A JSON-RPC frame is answered in this dialect (every frame gets one reply), the connection goes on.
    assert init == {"status": "error", "message": "Missing 'tool' field in message"}
    assert unknown == {"status": "error", "message": "Unknown tool: nope"}
    assert bad["message"].startswith("Invalid JSON format: ")


def test_permessage_deflate_and_no_subprotocol_at_the_root(brain: Sandbox) -> None:
    async def handshake() -> tuple[str | None, str | None]:
        async with connect(brain.outputs["brain"]["ws_url"], subprotocols=["mcp"], proxy=None) as ws:  # type: ignore[list-item]
            return ws.subprotocol, ws.response.headers.get("Sec-WebSocket-Extensions")

    subprotocol, extensions = asyncio.run(handshake())
    assert subprotocol is None and extensions is not None and extensions.startswith("permessage-deflate")


@pytest.mark.parametrize("path", ["ws_url", "mcp_url"])
def test_drop_connections_closes_without_a_close_frame(brain: Sandbox, path: str) -> None:
    outputs = brain.outputs["brain"]
    set_faults(outputs["admin_url"], {"drop_connections": 1})
    first = INIT if path == "mcp_url" else CREATE

    async def run() -> ConnectionClosedError:
        async with connect(outputs[path], proxy=None) as ws:
            await ws.send(json.dumps(first))
            assert json.loads(await ws.recv())
            await ws.send(json.dumps(first))
            with pytest.raises(ConnectionClosedError) as closed:
                await asyncio.wait_for(ws.recv(), timeout=5)
            return closed.value

    closed = asyncio.run(run())
    assert closed.rcvd is None  # no close frame: a drop, not a goodbye
    assert httpx.get(outputs["admin_url"] + "/_sandbox/stats").json()["connections_dropped"] >= 1


async def _exchange(ws_url: str, frames: list[Any]) -> list[dict[str, Any]]:
    async with connect(ws_url, proxy=None) as ws:
        replies = []
        for frame in frames:
            await ws.send(frame if isinstance(frame, str) else json.dumps(frame))
            replies.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=10)))
        return replies


def test_startup_faults_come_from_the_launcher(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WORKBOOK_BRAIN_EMBEDDINGS", "hashing")
    with Sandbox(["brain"], state_dir=tmp_path, faults={"brain": {"added_latency_ms": 25}}) as sandbox:
        admin = sandbox.outputs["brain"]["admin_url"]
        assert httpx.get(admin + "/_sandbox/faults").json()["faults"] == {"added_latency_ms": 25}
        pids = sandbox.all_pids()
    assert live_pids(pids) == []
