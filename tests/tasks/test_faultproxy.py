"""The fault proxy against Toxiproxy's documented API shapes, and each toxic's effect measured
through it on a loopback echo server."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from workbook.sandbox import Sandbox


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def api(pipeline: Sandbox, echo: str) -> Iterator[httpx.Client]:
    client = httpx.Client(base_url=pipeline.outputs["faultproxy"]["url"], timeout=10.0)
    created = client.post("/proxies", json={"name": "echo_test", "listen": "127.0.0.1:0", "upstream": echo})
    assert created.status_code == 201, created.text
    yield client
    client.delete("/proxies/echo_test")
    client.close()


def _address(api: httpx.Client) -> tuple[str, int]:
    host, _, port = api.get("/proxies/echo_test").json()["listen"].rpartition(":")
    return host, int(port)


def _round_trip(address: tuple[str, int], payload: bytes = b"ping", timeout_s: float = 5.0) -> tuple[bytes, float]:
    started = time.perf_counter()
    with socket.create_connection(address, timeout=timeout_s) as conn:
        conn.sendall(payload)
        received = b""
        while len(received) < len(payload):
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    return received, time.perf_counter() - started


def test_proxy_and_toxic_shapes_follow_toxiproxy(api: httpx.Client, echo: str) -> None:
    proxy = api.get("/proxies/echo_test").json()
    assert set(proxy) == {"name", "listen", "upstream", "enabled", "toxics"}
    assert proxy["enabled"] is True and proxy["toxics"] == [] and not proxy["listen"].endswith(":0")
    assert "echo_test" in api.get("/proxies").json()
    duplicate = api.post("/proxies", json={"name": "echo_test", "upstream": echo})
    assert (duplicate.status_code, duplicate.json()) == (409, {"error": "proxy already exists", "status": 409})
    missing = api.post("/proxies", json={"upstream": echo})
    assert (missing.status_code, missing.json()["error"]) == (400, "missing required field: name")
    toxic = api.post("/proxies/echo_test/toxics", json={"type": "latency", "attributes": {"latency": 100}})
    # Defaults as documented: name <type>_<stream>, stream downstream, toxicity 1.0; 200, not 201.
    assert toxic.status_code == 200
    assert toxic.json() == {
        "attributes": {"latency": 100, "jitter": 0},
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1.0,
    }
    again = api.post("/proxies/echo_test/toxics", json={"type": "latency"})
    assert (again.status_code, again.json()["error"]) == (409, "toxic already exists")
    updated = api.patch("/proxies/echo_test/toxics/latency_downstream", json={"attributes": {"jitter": 10}})
    assert updated.json()["attributes"] == {"latency": 100, "jitter": 10}
    assert api.get("/proxies/echo_test/toxics").json()[0]["name"] == "latency_downstream"
    bad = api.post("/proxies/echo_test/toxics", json={"type": "corrupt_everything"})
    assert (bad.status_code, bad.json()) == (400, {"error": "invalid toxic type", "status": 400})
    stream = api.post("/proxies/echo_test/toxics", json={"type": "timeout", "stream": "sideways"})
    assert stream.status_code == 400 and "stream was invalid" in stream.json()["error"]
    assert api.delete("/proxies/echo_test/toxics/latency_downstream").status_code == 204
    assert api.get("/proxies/echo_test/toxics/latency_downstream").status_code == 404
    assert api.get("/proxies/nope").json() == {"error": "proxy not found", "status": 404}
    assert api.get("/version").json()["version"]
    populated = api.post("/populate", json=[{"name": "echo_test", "listen": proxy["listen"], "upstream": echo}])
    assert populated.status_code == 201 and populated.json()["proxies"][0]["listen"] == proxy["listen"]


def test_each_toxic_has_its_documented_effect(api: httpx.Client) -> None:
    address = _address(api)
    assert _round_trip(address)[0] == b"ping"
    baseline = min(_round_trip(address)[1] for _ in range(3))

    api.post("/proxies/echo_test/toxics", json={"type": "latency", "attributes": {"latency": 150, "jitter": 0}})
    assert _round_trip(address)[1] >= 0.15 > baseline
    api.post("/reset")

    api.post("/proxies/echo_test/toxics", json={"type": "bandwidth", "attributes": {"rate": 200}})
    data, took = _round_trip(address, b"x" * 100_000)  # 100 KB at 200 KB/s: about half a second
    assert len(data) == 100_000 and took >= 0.4
    api.post("/reset")

    api.post("/proxies/echo_test/toxics", json={"type": "limit_data", "attributes": {"bytes": 1000}})
    data, _ = _round_trip(address, b"y" * 5000)
    assert len(data) == 1000
    api.post("/reset")

    api.post(
        "/proxies/echo_test/toxics",
        json={
            "type": "slicer",
            "stream": "upstream",
            "attributes": {"average_size": 10, "size_variation": 2, "delay": 100},
        },
    )
    assert _round_trip(address, b"z" * 2000)[0] == b"z" * 2000
    api.post("/reset")

    api.post("/proxies/echo_test/toxics", json={"type": "reset_peer", "attributes": {"timeout": 0}})
    with (
        pytest.raises((ConnectionResetError, BrokenPipeError, ConnectionAbortedError)),
        socket.create_connection(address, timeout=5) as conn,
    ):
        time.sleep(0.2)
        conn.sendall(b"ping")
        data = conn.recv(10)
        pytest.fail(f"expected a TCP reset, got {data!r}")
    api.post("/reset")

    api.post("/proxies/echo_test/toxics", json={"type": "timeout", "attributes": {"timeout": 300}})
    started = time.perf_counter()
    with socket.create_connection(address, timeout=5) as conn:
        conn.sendall(b"ping")
        assert conn.recv(10) == b""  # data swallowed, then closed after 300 ms
    assert 0.25 <= time.perf_counter() - started < 3
    api.post("/reset")

    assert api.post("/proxies/echo_test", json={"enabled": False}).json()["enabled"] is False
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address, timeout=2).close()
    assert api.post("/reset").status_code == 204  # re-enables every proxy and clears toxics
    assert api.get("/proxies/echo_test").json()["enabled"] is True
    assert _round_trip(address)[0] == b"ping"


def test_redis_traffic_of_api_and_workers_crosses_the_proxy(pipeline: Sandbox) -> None:
    health = httpx.get(pipeline.outputs["faultproxy"]["url"] + "/health", timeout=10).json()
    # API (its clients and relay) and both workers (broker, result backend, events) hold connections.
    assert health["proxies"]["redis"]["connections"] >= 3
