"""Health probes against local targets that are healthy, broken, slow or absent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from websockets.http11 import Response
from websockets.sync.server import serve

from workbook import Checks
from workbook.health import S3Target, probe_http, probe_s3, probe_websocket, record, run_matrix
from workbook.sandbox import Sandbox


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(0.6)
        status = 500 if self.path == "/500" else 200
        body, kind = (
            (b"<html>ok</html>", "text/html")
            if self.path == "/html"
            else (json.dumps({"status": "ok"}).encode(), "application/json")
        )
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
def s3() -> Iterator[dict[str, str]]:
    with Sandbox(["s3"]) as sandbox:
        yield {**sandbox.outputs["s3"], **sandbox.secrets}
    sandbox.cleanup()


def test_healthy_http_passes(http_base: str) -> None:
    row = probe_http(http_base + "/ok", budget_s=2.0)
    assert row.ok and row.measured["status_code"] == 200


@pytest.mark.parametrize(
    ("path", "defect"), [("/500", "status 500"), ("/html", "not JSON"), ("/slow", "over the 0.3 s budget")]
)
def test_broken_http_fails_naming_the_defect(http_base: str, path: str, defect: str) -> None:
    row = probe_http(http_base + path, budget_s=0.3)
    assert not row.ok and defect in row.detail


def test_unreachable_http_fails() -> None:
    row = probe_http("http://127.0.0.1:9/health", budget_s=1.0)
    assert not row.ok and "unreachable" in row.detail


def test_websocket_connects_and_closes(ws_url: str) -> None:
    row = probe_websocket(ws_url, budget_s=2.0)
    assert row.ok, row.detail


def test_an_unoffered_subprotocol_is_a_warning_not_down(mcp_like_ws_url: str) -> None:
    # Issue 16: "connect failed: NegotiationError: no subprotocols supported" for a server that is up.
    row = probe_websocket(mcp_like_ws_url, budget_s=2.0)
    assert row.ok, row.detail
    assert "WARNING: the server answered subprotocol 'mcp', which was not offered" in row.detail
    offered = probe_websocket(mcp_like_ws_url, budget_s=2.0, subprotocols=["mcp"])
    assert offered.ok and "warning" not in offered.measured and offered.measured["subprotocol"] == "mcp"


def test_the_matrix_offers_mcp_to_an_mcp_url_unless_told_otherwise(mcp_like_ws_url: str) -> None:
    rows = run_matrix([], [mcp_like_ws_url], 2.0)
    assert rows["ws-0"].ok and rows["ws-0"].measured["subprotocols_offered"] == ["mcp"]
    rows = run_matrix([], [mcp_like_ws_url], 2.0, subprotocols={mcp_like_ws_url: []})
    assert rows["ws-0"].ok and "WARNING" in rows["ws-0"].detail


def test_websocket_refused_fails() -> None:
    row = probe_websocket("ws://127.0.0.1:9/", budget_s=1.0)
    assert not row.ok and "connect failed" in row.detail


def test_s3_round_trip_passes(s3: dict[str, str]) -> None:
    row = probe_s3(
        s3["endpoint"],
        s3["bucket"],
        s3["region"],
        s3["SANDBOX_S3_ACCESS_KEY"],
        s3["SANDBOX_S3_SECRET_KEY"],
        budget_s=5.0,
    )
    assert row.ok, row.detail
    assert set(row.measured) == {"head_bucket_s", "put_s", "get_s", "delete_s"}


def test_s3_wrong_secret_fails(s3: dict[str, str]) -> None:
    row = probe_s3(
        s3["endpoint"], s3["bucket"], s3["region"], s3["SANDBOX_S3_ACCESS_KEY"], "wrong-secret-key", budget_s=5.0
    )
    assert not row.ok and "head_bucket failed" in row.detail


def test_s3_missing_bucket_fails(s3: dict[str, str]) -> None:
    row = probe_s3(
        s3["endpoint"],
        "no-such-bucket",
        s3["region"],
        s3["SANDBOX_S3_ACCESS_KEY"],
        s3["SANDBOX_S3_SECRET_KEY"],
        budget_s=5.0,
    )
    assert not row.ok and "404" in row.detail


def test_s3_missing_credentials_env_fails_without_showing_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WB_NO_SUCH_KEY", raising=False)
    rows = run_matrix([], [], 1.0, s3=S3Target("http://127.0.0.1:9", "b", "us-east-1", "WB_NO_SUCH_KEY", "X"))
    assert not rows["s3"].ok and "'WB_NO_SUCH_KEY' is not set" in rows["s3"].detail


def test_record_turns_rows_into_checks(http_base: str, tmp_path: Path) -> None:
    urls = [http_base + "/ok", http_base + "/500"]
    rows = run_matrix(urls, [], 2.0)
    checks = Checks("00_service_health", {"http-0": "ok", "http-1": "broken"}, results_dir=tmp_path)
    record(checks, rows)
    assert [result.status for result in checks.results] == ["pass", "fail"]
    assert "status 500" in checks.results[1].detail
