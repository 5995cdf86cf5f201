"""Health probes against local targets that are healthy, broken, degraded, slow, locked or absent."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from websockets.http11 import Response
from websockets.sync.server import serve

from workbook import Checks
from workbook.health import (
    check_ids,
    health_targets,
    probe_http,
    probe_s3,
    probe_websocket,
    read_health,
    record,
    run_matrix,
)
from workbook.sandbox import Sandbox

BODIES = {
    "/ok": (200, {"status": "ok"}),
    "/slow": (200, {"status": "ok"}),
    "/500": (500, {"status": "error", "message": "database is down"}),
    "/degraded": (
        200,
        {"status": "degraded", "components": {"neo4j": {"status": "unhealthy"}, "jina": {"status": "healthy"}}},
    ),
    "/unhealthy": (200, {"status": "unhealthy", "redis": "Connection refused"}),
    "/warn": (200, {"status": "pass", "checks": {"db:responseTime": [{"status": "warn", "observedValue": 900}]}}),
    "/nostatus": (200, {"service": "x", "version": "1"}),
    "/locked": (401, {"detail": "Invalid or missing API key"}),
    "/slow-blaming": (200, {"status": "degraded", "components": {"jina": {"status": "unhealthy", "error": "timeout"}}}),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/slow"):
            time.sleep(0.6)
        if path == "/keyed":
            status, body = (
                (200, {"status": "healthy"})
                if self.headers.get("X-API-Key") == "k-123456"
                else (401, {"detail": "no key"})
            )
        elif path == "/html":
            self._send(200, b"<html>ok</html>", "text/html")
            return
        else:
            status, body = BODIES.get(path, (404, {"detail": "Not Found"}))
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def ws_url() -> Iterator[str]:
    with serve(lambda connection: None, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/"
        server.shutdown()


@pytest.fixture(scope="module")
def mcp_like_ws_url() -> Iterator[str]:
    """Like an MCP Python SDK server: answers `Sec-WebSocket-Protocol: mcp` whatever was offered."""

    def always_mcp(connection: object, request: object, response: Response) -> Response:
        response.headers["Sec-WebSocket-Protocol"] = "mcp"
        return response

    with serve(lambda connection: None, "127.0.0.1", 0, process_response=always_mcp) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/mcp"
        server.shutdown()


@pytest.fixture(scope="module")
def mute_on_close_ws_url() -> Iterator[str]:
    """Completes the opening handshake by hand, then never answers a close frame (as a server whose
    close handshake goes unanswered): the probe must say "handshake ok", not "connect failed"."""
    import base64
    import hashlib

    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            request = connection.recv(65536).decode()
            key = next(
                line.split(":", 1)[1].strip()
                for line in request.split("\r\n")
                if line.lower().startswith("sec-websocket-key")
            )
            accept_key = base64.b64encode(
                hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
            ).decode()
            head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            connection.sendall(f"{head}Sec-WebSocket-Accept: {accept_key}\r\n\r\n".encode())
            held.append(connection)  # read nothing more, answer nothing

    threading.Thread(target=accept, daemon=True).start()
    yield f"ws://127.0.0.1:{listener.getsockname()[1]}/"
    listener.close()
    for connection in held:
        connection.close()


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    with Sandbox(["s3"]) as sandbox:
        yield {**sandbox.outputs["s3"], **sandbox.secrets}
    sandbox.cleanup()


def test_healthy_http_passes_and_shows_the_bodys_words(http_base: str) -> None:
    row = probe_http(http_base + "/ok", budget_s=2.0)
    assert row.ok and row.measured["status_code"] == 200 and "(status=ok)" in row.detail


@pytest.mark.parametrize(
    ("path", "defect"),
    [
        ("/500", "status 500, expected 200"),
        ("/html", "not JSON"),
        ("/slow", "over the 0.3 s budget"),
        ("/degraded", "not healthy (fail): status=degraded; neo4j=unhealthy"),
        ("/unhealthy", "not healthy (fail): status=unhealthy"),
    ],
)
def test_broken_http_fails_naming_the_defect(http_base: str, path: str, defect: str) -> None:
    row = probe_http(http_base + path, budget_s=0.3)
    assert not row.ok and row.reason is None and defect in row.detail


def test_a_200_saying_degraded_is_not_healthy_but_the_word_map_is_a_parameter(http_base: str) -> None:
    warned = probe_http(http_base + "/warn", budget_s=2.0)
    assert not warned.ok and "db:responseTime[0]=warn" in warned.detail
    tolerated = probe_http(http_base + "/warn", budget_s=2.0, warn_fails=False)
    assert tolerated.ok and "WARNING: the body reports a warning" in tolerated.detail
    remapped = probe_http(http_base + "/degraded", budget_s=2.0, words={"unhealthy": "pass", "degraded": "pass"})
    assert remapped.ok, remapped.detail
    assert probe_http(http_base + "/nostatus", budget_s=2.0).ok


def test_a_slow_answer_names_the_component_the_body_blames(http_base: str) -> None:
    row = probe_http(http_base + "/slow-blaming", budget_s=0.3)
    assert "over the 0.3 s budget; the body blames jina" in row.detail


def test_locked_missing_and_unreachable_are_could_not_check(http_base: str) -> None:
    locked = probe_http(http_base + "/locked", budget_s=2.0)
    assert locked.reason == "auth" and "Invalid or missing API key" in locked.detail
    missing = probe_http(http_base + "/nowhere", budget_s=2.0, route_setting="services.api.health")
    assert (
        missing.reason == "dialect"
        and "GET /nowhere answered 404" in missing.detail
        and "services.api.health" in missing.detail
    )
    started = time.monotonic()
    gone = probe_http("http://127.0.0.1:9/health", budget_s=1.0)
    assert gone.reason == "unreachable" and time.monotonic() - started < 2


def test_profiles_bring_their_credentials(http_base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_HEALTH_KEY", "k-123456")
    services = {
        "api": {
            "url": http_base,
            "health": ["/keyed", "/degraded"],
            "auth": {"kind": "header", "name": "X-API-Key", "secret_env": "WB_HEALTH_KEY"},
        },
        "nokey": {"url": http_base, "health": ["/keyed"]},
    }
    targets = health_targets(services)
    checks = Checks("00_service_health", check_ids(targets), results_dir=tmp_path)
    assert {spec.service for spec in checks.specs.values()} == {"api", "nokey"}
    record(checks, run_matrix(targets, services, 2.0))
    outcome = {check.id: (check.status.value, check.reason.value if check.reason else None) for check in checks.results}
    assert outcome == {"http-api-0": ("pass", None), "http-api-1": ("fail", None), "http-nokey-0": ("error", "auth")}


def test_websocket_handshake_and_close(ws_url: str) -> None:
    row = probe_websocket(ws_url, budget_s=2.0)
    assert row.ok and row.measured["close_answered"] is True, row.detail


def test_an_unanswered_close_is_not_a_failed_connect(mute_on_close_ws_url: str) -> None:
    row = probe_websocket(mute_on_close_ws_url, budget_s=0.5)
    assert row.ok and row.reason is None, row.detail
    assert row.detail.startswith("handshake ok in") and "did not answer the close handshake" in row.detail
    assert row.measured["close_answered"] is False


def test_an_unoffered_subprotocol_is_a_warning_not_down(mcp_like_ws_url: str) -> None:
    row = probe_websocket(mcp_like_ws_url, budget_s=2.0)
    assert row.ok, row.detail
    assert "WARNING: the server answered subprotocol 'mcp', which was not offered" in row.detail
    offered = probe_websocket(mcp_like_ws_url, budget_s=2.0, subprotocols=["mcp"])
    assert offered.ok and "warning" not in offered.measured and offered.measured["subprotocol"] == "mcp"


def test_the_matrix_offers_mcp_to_an_mcp_url_unless_told_otherwise(mcp_like_ws_url: str) -> None:
    services = {"brain": {"ws_url": mcp_like_ws_url}}
    rows = run_matrix(health_targets(services), services, 2.0)
    assert rows["ws-brain"].ok and rows["ws-brain"].measured["subprotocols_offered"] == ["mcp"]
    rows = run_matrix(health_targets(services), services, 2.0, subprotocols={mcp_like_ws_url: []})
    assert rows["ws-brain"].ok and "WARNING" in rows["ws-brain"].detail


def test_websocket_refused_is_unreachable() -> None:
    row = probe_websocket("ws://127.0.0.1:9/", budget_s=1.0)
    assert not row.ok and row.reason == "unreachable" and "could not open the connection" in row.detail


def s3_services(s3: dict[str, str], secret_env: str = "SANDBOX_S3_SECRET_KEY") -> dict[str, object]:
    return {
        "s3": {
            "url": s3["endpoint"],
            "region": s3["region"],
            "auth": {"kind": "aws", "username_env": "SANDBOX_S3_ACCESS_KEY", "secret_env": secret_env},
        }
    }


def test_s3_round_trip_passes(s3: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SANDBOX_S3_ACCESS_KEY", "SANDBOX_S3_SECRET_KEY"):
        monkeypatch.setenv(name, s3[name])
    services = s3_services(s3)
    rows = run_matrix(health_targets(services, s3_bucket=s3["bucket"]), services, 5.0, s3_bucket=s3["bucket"])
    assert rows["s3-s3"].ok, rows["s3-s3"].detail
    assert set(rows["s3-s3"].measured) == {"head_bucket_s", "put_s", "get_s", "delete_s"}


def test_s3_wrong_secret_is_auth_and_a_missing_bucket_fails(
    s3: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_S3_ACCESS_KEY", s3["SANDBOX_S3_ACCESS_KEY"])
    monkeypatch.setenv("WB_WRONG_SECRET", "wrong-secret-key")
    services = s3_services(s3, "WB_WRONG_SECRET")
    rows = run_matrix(health_targets(services, s3_bucket=s3["bucket"]), services, 5.0, s3_bucket=s3["bucket"])
    assert rows["s3-s3"].reason == "auth" and "head_bucket failed" in rows["s3-s3"].detail
    from workbook.connect import s3_client

    client = s3_client(
        endpoint_url=s3["endpoint"],
        region=s3["region"],
        access_key=s3["SANDBOX_S3_ACCESS_KEY"],
        secret_key=s3["SANDBOX_S3_SECRET_KEY"],
    )
    row = probe_s3(client, s3["endpoint"], "no-such-bucket", budget_s=5.0)
    assert not row.ok and row.reason is None and "404" in row.detail


def test_s3_missing_credentials_env_is_setup_without_showing_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WB_NO_SUCH_KEY", raising=False)
    services = {
        "s3": {
            "url": "http://127.0.0.1:9",
            "auth": {"kind": "aws", "username_env": "WB_NO_SUCH_KEY", "secret_env": "X_SECRET"},
        }
    }
    rows = run_matrix(health_targets(services, s3_bucket="b"), services, 1.0, s3_bucket="b")
    assert rows["s3-s3"].reason == "setup" and "'WB_NO_SUCH_KEY' is not set" in rows["s3-s3"].detail


def test_read_health_reads_the_shapes_platforms_use() -> None:
    assert read_health({"status": "UP", "components": {"db": {"status": "UP"}}}).verdict == "pass"
    assert read_health({"status": "DOWN"}).verdict == "fail"
    assert read_health({"status": "ready", "checks": {"redis": "ok"}}).verdict == "pass"
    assert read_health({"status": "not_ready"}).verdict == "fail"
    brain = read_health(
        {"status": "degraded", "components": {"neo4j": {"status": "unhealthy"}, "jina": {"status": "healthy"}}}
    )
    assert (brain.verdict, brain.blamed) == ("fail", ("neo4j",))
    assert read_health(["not", "an", "object"]).verdict == "unknown"
