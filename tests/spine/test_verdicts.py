"""`fail` is an accusation, `error` says why the platform could not be exercised: the one rule
(`checks.classify`), setups that fail without swallowing checks, and remedies only for what was seen."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from workbook import CouldNotCheck
from workbook.checks import Checks, CheckSpec, ErrorReason, load_results
from workbook.connect import check_access, not_speaking, pick_dialect, profile


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def recorded(checks: Checks, check_id: str) -> tuple[str, str | None, str]:
    row = next(check for check in checks.results if check.id == check_id)
    return row.status.value, row.reason.value if row.reason else None, row.detail


def test_could_not_check_is_an_error_with_its_reason_and_evidence(tmp_path: Path) -> None:
    checks = Checks("nb", {"a": "a"}, results_dir=tmp_path)
    with checks.run("a") as c:
        c.could_not_check("dialect", "the server speaks something else", evidence={"frame": "{}"})
    status, reason, detail = recorded(checks, "a")
    assert (status, reason, detail) == ("error", "dialect", "the server speaks something else")
    assert checks.results[0].measured["evidence"] == {"frame": "{}"}


def test_a_refused_connection_is_unreachable_not_a_defect(tmp_path: Path) -> None:
    checks = Checks("nb", {"a": "a"}, results_dir=tmp_path)
    started = time.monotonic()
    with checks.run("a"), httpx.Client() as client:
        client.get(f"http://127.0.0.1:{closed_port()}/health")
    assert time.monotonic() - started < 5
    status, reason, detail = recorded(checks, "a")
    assert (status, reason) == ("error", "unreachable") and "could not reach GET http://127.0.0.1" in detail


def test_a_workbook_bug_is_internal_and_a_missing_secret_is_setup(tmp_path: Path) -> None:
    checks = Checks("nb", {"bug": "bug", "secret": "secret", "file": "file"}, results_dir=tmp_path)
    with checks.run("bug"):
        raise KeyError("oops")
    with checks.run("secret"):
        profile(
            {"x": {"url": "http://127.0.0.1:1", "auth": {"kind": "bearer", "secret_env": "WB_NOT_SET_9"}}}, "x"
        ).auth_headers()
    with checks.run("file"):
        Path(tmp_path / "missing.txt").read_text()  # an OSError that is no network failure
    assert recorded(checks, "bug")[:2] == ("error", "internal")
    assert recorded(checks, "secret")[:2] == ("error", "setup") and "WB_NOT_SET_9" in recorded(checks, "secret")[2]
    assert recorded(checks, "file")[:2] == ("error", "internal")


@pytest.fixture
def refusing_ws_server() -> Iterator[str]:
    """A WebSocket server that answers every handshake 401 with a body."""
    from websockets.asyncio.server import serve
    from websockets.datastructures import Headers
    from websockets.http11 import Response

    ready = threading.Event()
    stop: list[asyncio.Future[None]] = []
    port: list[int] = []

    def refuse(connection: object, request: object) -> Response:
        return Response(401, "Unauthorized", Headers({"Content-Type": "text/plain"}), b"missing bearer token")

    async def main() -> None:
        async with serve(lambda ws: ws.close(), "127.0.0.1", 0, process_request=refuse) as server:
            port.append(next(iter(server.sockets)).getsockname()[1])
            stop.append(asyncio.get_running_loop().create_future())
            ready.set()
            await stop[0]

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(5)
    yield f"ws://127.0.0.1:{port[0]}/"
    loop.call_soon_threadsafe(stop[0].set_result, None)
    thread.join(5)
    loop.close()


def test_a_websocket_handshake_refused_401_is_auth(tmp_path: Path, refusing_ws_server: str) -> None:
    from websockets.asyncio.client import connect

    from workbook import run_sync

    async def open_it() -> None:
        async with connect(refusing_ws_server):
            pass

    checks = Checks("nb", {"a": "a"}, results_dir=tmp_path)
    with checks.run("a"):
        run_sync(open_it(), timeout_s=5, what="handshake")
    status, reason, detail = recorded(checks, "a")
    assert (status, reason) == ("error", "auth") and "401" in detail and "missing bearer token" in detail


def test_failed_setup_records_every_check_as_setup_whatever_the_body_does(tmp_path: Path) -> None:
    checks = Checks("nb", {"a": "a", "b": "b", "c": "c"}, results_dir=tmp_path)
    settings = checks.setup(int, "not a number")
    run = checks.setup(lambda value: value * 2, settings)  # short-circuits on the failed settings
    assert not run and "setup failed" in repr(run)
    with checks.run("a") as c:
        c.measure(value=run.anything)
    with checks.run("b"):
        pass  # a body that "passes" after a failed setup proves nothing
    checks.finish()
    on_disk = load_results(tmp_path / "results.json")
    assert on_disk is not None
    rows = {check.id: (check.status.value, check.reason) for check in on_disk.checks}
    assert rows == {"a": ("error", "setup"), "b": ("error", "setup"), "c": ("error", "setup")}
    assert all("invalid literal for int()" in check.detail for check in on_disk.checks)


def test_setup_keeps_the_reason_class_of_what_it_could_not_reach(tmp_path: Path) -> None:
    checks = Checks("nb", {"a": "a"}, results_dir=tmp_path)

    def open_run() -> None:
        with httpx.Client() as client:
            client.get(f"http://127.0.0.1:{closed_port()}/")

    checks.setup(open_run)
    checks.finish()
    assert recorded(checks, "a")[:2] == ("error", "unreachable")


def test_remedies_are_shown_only_for_defects_that_were_observed(tmp_path: Path) -> None:
    spec = CheckSpec(title="t", remedy="search only the project given")
    checks = Checks("nb", {"seen": spec, "other": spec, "ok": spec, "err": spec}, results_dir=tmp_path)
    with checks.run("seen") as c:
        c.expect(False, "search returned 2 result(s) from project B", remedy=True)
    with checks.run("other") as c:
        c.expect(False, "the search answered 500")  # a defect, but not the one the remedy speaks of
    with checks.run("ok") as c:
        c.expect(True, "never", remedy=True)
    with checks.run("err"):
        raise CouldNotCheck("auth", "401")
    remedies = {check.id: check.remedy for check in checks.results}
    assert remedies == {"seen": "search only the project given", "other": "", "ok": "", "err": ""}


def test_check_access_names_credentials_routes_and_never_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_TEST_KEY", "secret-key-value-77")
    api = profile(
        {
            "api": {
                "url": "http://testserver",
                "auth": {"kind": "header", "name": "X-API-Key", "secret_env": "WB_TEST_KEY"},
            }
        },
        "api",
    )

    def answer(request: httpx.Request) -> httpx.Response:
        status = {"/private": 401, "/missing": 404, "/items/123": 404}.get(request.url.path, 200)
        return httpx.Response(status, json={"detail": "Not Found" if status == 404 else "Invalid API key"})

    client = api.http_client(transport=httpx.MockTransport(answer))
    with pytest.raises(CouldNotCheck) as auth:
        check_access(client.get("/private"), profile=api)
    assert auth.value.reason is ErrorReason.AUTH
    assert "GET /private answered 401" in auth.value.message and "X-API-Key from $WB_TEST_KEY" in auth.value.message
    assert "secret-key-value-77" not in auth.value.message + json.dumps(auth.value.evidence)
    with pytest.raises(CouldNotCheck) as route:
        check_access(client.get("/missing"), profile=api, route_param="status_route", dialect="orfeas")
    assert route.value.reason is ErrorReason.DIALECT
    assert "GET /missing answered 404" in route.value.message and "'status_route'" in route.value.message
    assert check_access(client.get("/items/123"), allow=(404,)).status_code == 404


def test_not_speaking_quotes_the_frame_and_pick_dialect_lists_the_known() -> None:
    verdict = not_speaking("ws://h/", "mcp-jsonrpc", {"status": "error", "message": "Missing 'tool' field"})
    assert verdict.reason is ErrorReason.DIALECT
    assert verdict.message.startswith("the server at ws://h/ does not speak mcp-jsonrpc: it answered {")
    assert "Missing 'tool' field" in verdict.message and verdict.evidence["frames"]
    with pytest.raises(
        ValueError, match=r"parameter 'brain_protocol': unknown dialect 'jsonrpc'; known dialects: a, b"
    ):
        pick_dialect({"a": 1, "b": 2}, "jsonrpc", param="brain_protocol")
