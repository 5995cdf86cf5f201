"""Gateway client against a tiny in-process websockets server on 127.0.0.1 (no Discord needed)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from workbook.midjourney._gateway import GatewayClient, gateway_query_url

TOKEN = "canary-gateway-token-123456"


class FakeGateway:
    """Scripted server: READY, a dispatch, then a drop; the resume must carry session and seq."""

    def __init__(self, *, close_code: int | None = None) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.close_code = close_code
        self.port = 0

    async def handler(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request else ""
        await ws.send(json.dumps({"op": 10, "d": {"heartbeat_interval": 50}}))
        first = json.loads(await ws.recv())
        self.received.append((path, first))
        if self.close_code:
            await ws.close(code=self.close_code, reason="Authentication failed.")
            return
        if first["op"] == 2:
            await ws.send(
                json.dumps(
                    {
                        "op": 0,
                        "s": 1,
                        "t": "READY",
                        "d": {
                            "session_id": "sess-1",
                            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume",
                            "user": {"id": "42"},
                        },
                    }
                )
            )
            await ws.send(json.dumps({"op": 0, "s": 2, "t": "MESSAGE_CREATE", "d": {"id": "1", "channel_id": "9"}}))
            # Abrupt drop (no close frame semantics for the client's session): must resume.
            await asyncio.sleep(0.05)
            await ws.close(code=1011, reason="drop")
            return
        # op 6 RESUME
        await ws.send(json.dumps({"op": 0, "s": 3, "t": "MESSAGE_CREATE", "d": {"id": "2", "channel_id": "9"}}))
        await ws.send(json.dumps({"op": 0, "s": 4, "t": "RESUMED", "d": {}}))
        async for raw in ws:
            frame = json.loads(raw)
            self.received.append((path, frame))
            if frame["op"] == 1:
                await ws.send(json.dumps({"op": 11}))


def test_query_url_adds_version_and_json_encoding() -> None:
    assert gateway_query_url("wss://gateway.discord.gg") == "wss://gateway.discord.gg/?v=10&encoding=json"
    assert "compress" not in gateway_query_url("wss://g.test/?v=9&compress=zlib-stream")


def test_identify_dispatch_drop_and_resume() -> None:
    server = FakeGateway()
    events: list[tuple[str, dict[str, Any]]] = []

    async def go() -> GatewayClient:
        async with serve(server.handler, "127.0.0.1", 0) as ws_server:
            server.port = next(iter(ws_server.sockets)).getsockname()[1]
            client = GatewayClient(
                f"ws://127.0.0.1:{server.port}/gateway",
                TOKEN,
                on_dispatch=lambda t, d, at: events.append((t, d)),
                reconnect_delay_s=0.01,
            )
            task = asyncio.create_task(client.run())
            for _ in range(200):
                if client.resumes and any(f[1]["op"] == 1 for f in server.received):
                    break
                await asyncio.sleep(0.01)
            await client.close()
            await asyncio.wait_for(task, 5)
            return client

    client = asyncio.run(go())
    identify = server.received[0][1]
    assert identify["op"] == 2 and identify["d"]["token"] == TOKEN
    assert "intents" not in identify["d"] and identify["d"]["capabilities"]  # user session, not a bot
    path, resume = server.received[1]
    assert path.startswith("/resume") and resume == {
        "op": 6,
        "d": {"token": TOKEN, "session_id": "sess-1", "seq": 2},
    }
    assert [t for t, _ in events] == ["READY", "MESSAGE_CREATE", "MESSAGE_CREATE", "RESUMED"]
    assert client.resumes == 1 and client.drops == 1
    assert TOKEN not in repr(client)


def test_authentication_failed_is_fatal_without_reconnect() -> None:
    server = FakeGateway(close_code=4004)

    async def go() -> GatewayClient:
        async with serve(server.handler, "127.0.0.1", 0) as ws_server:
            port = next(iter(ws_server.sockets)).getsockname()[1]
            client = GatewayClient(
                f"ws://127.0.0.1:{port}/", TOKEN, on_dispatch=lambda *a: None, reconnect_delay_s=0.01
            )
            await asyncio.wait_for(client.run(), 5)
            return client

    client = asyncio.run(go())
    assert client.failed is not None and client.failed.close_code == 4004 and client.failed.fatal
    assert len(server.received) == 1


def test_unreachable_gateway_gives_up_after_bounded_reconnects() -> None:
    async def go() -> GatewayClient:
        client = GatewayClient(
            "ws://127.0.0.1:9/",
            TOKEN,
            on_dispatch=lambda *a: None,
            max_reconnects=2,
            reconnect_delay_s=0.01,
            open_timeout_s=1,
        )
        await asyncio.wait_for(client.run(), 10)
        return client

    client = asyncio.run(go())
    assert client.failed is not None and not client.ready.is_set() and client.connects == 0
