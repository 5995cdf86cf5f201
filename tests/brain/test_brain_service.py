"""The brain stand-in as the launcher runs it: a subprocess with a WebSocket port and an admin port."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path

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
    ws, admin, health = (spec.outputs[k] for k in ("ws_url", "admin_url", "health_url"))
    # The published ports are the sockets handed to the process, whose fds are on its command line.
    assert sorted(bound) == sorted(("127.0.0.1", int(url.rsplit(":", 1)[1].split("/")[0])) for url in (ws, admin))
    assert spec.argv[-4:] == ["--fd", fds[0], "--admin-fd", fds[1]]
    assert ws.startswith("ws://127.0.0.1:") and ws.endswith("/mcp")
    assert admin.startswith("http://127.0.0.1:") and health == spec.ready_url
    assert health.removesuffix("/health") == ws.replace("ws://", "http://").removesuffix("/mcp")
    assert admin.rsplit(":", 1)[1] != ws.rsplit(":", 1)[1].split("/")[0]
    assert spec.argv[:3] == [sys.executable, "-m", "workbook.sandbox.brain"]


def test_health_on_the_websocket_port_and_the_admin_port(brain: Sandbox) -> None:
    outputs = brain.outputs["brain"]
    for url in (outputs["health_url"], outputs["admin_url"] + "/health"):
        response = httpx.get(url, timeout=5)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["status"] == "ok"
        assert body["embedding"]["kind"] == "deterministic-fallback"
    other = httpx.get(outputs["health_url"].replace("/health", "/nope"), timeout=5)
    assert other.status_code == 404 and "/mcp" in other.json()["error"]


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


def test_mcp_subprotocol_is_negotiated_when_offered(brain: Sandbox) -> None:
    ws_url = brain.outputs["brain"]["ws_url"]

    async def subprotocol(offer: list[str] | None) -> str | None:
        async with connect(ws_url, subprotocols=offer, proxy=None) as ws:  # type: ignore[arg-type]
            await ws.send(json.dumps(INIT))
            assert json.loads(await ws.recv())["result"]["protocolVersion"] == "2025-06-18"
            return ws.subprotocol

    assert asyncio.run(subprotocol(["mcp"])) == "mcp"
    assert asyncio.run(subprotocol(None)) is None


def test_drop_connections_aborts_without_a_close_frame(brain: Sandbox) -> None:
    outputs = brain.outputs["brain"]
    set_faults(outputs["admin_url"], {"drop_connections": 1})

    async def run() -> ConnectionClosedError:
        async with connect(outputs["ws_url"], proxy=None) as ws:
            await ws.send(json.dumps(INIT))
            assert "result" in json.loads(await ws.recv())
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
            with pytest.raises(ConnectionClosedError) as closed:
                await asyncio.wait_for(ws.recv(), timeout=5)
            return closed.value

    closed = asyncio.run(run())
    assert closed.rcvd is None  # no close frame: a drop, not a goodbye
    assert httpx.get(outputs["admin_url"] + "/_sandbox/stats").json()["connections_dropped"] >= 1


def test_startup_faults_come_from_the_launcher(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WORKBOOK_BRAIN_EMBEDDINGS", "hashing")
    with Sandbox(["brain"], state_dir=tmp_path, faults={"brain": {"added_latency_ms": 25}}) as sandbox:
        admin = sandbox.outputs["brain"]["admin_url"]
        assert httpx.get(admin + "/_sandbox/faults").json()["faults"] == {"added_latency_ms": 25}
        pids = sandbox.all_pids()
    assert live_pids(pids) == []
