"""Gateway connection behaviour: auth failure, resume with replay after a mid-job drop, invalid
session, gateway_down, zlib-stream compression."""

from __future__ import annotations

import asyncio
import zlib

import pytest
import websockets

from ._support import Emu, Gateway, apost_interaction, gateway, is_grid, run


def test_bad_token_closes_with_4004(emu: Emu) -> None:
    async def scenario() -> None:
        client = Gateway(emu.outputs["gateway_url"], "not-the-token")
        try:
            await client.open(identify=False)
            await client.send({"op": 2, "d": {"token": "not-the-token", "properties": {}}})
            assert await client.wait_closed() == 4004
        finally:
            await client.close()

    run(scenario())


def test_payload_before_identify_and_unknown_opcode_close_the_connection(emu: Emu) -> None:
    async def scenario() -> None:
        for payload, code in (({"op": 3, "d": {}}, 4003), ({"op": 99, "d": None}, 4001), ("nonsense", 4002)):
            client = Gateway(emu.outputs["gateway_url"], emu.token)
            try:
                await client.open(identify=False)
                await (client.ws.send(payload) if isinstance(payload, str) else client.send(payload))
                assert await client.wait_closed() == code
            finally:
                await client.close()

    run(scenario())


def test_drop_mid_job_then_resume_replays_missed_dispatches(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"gateway_drop_mid_job": True})
    emu.admin_call("PUT", "/settings", {"timings": {"progress_s": 2000.0}})

    async def scenario() -> None:
        first = Gateway(emu.outputs["gateway_url"], emu.token)
        second = Gateway(emu.outputs["gateway_url"], emu.token)
        try:
            await first.open()
            async with emu.aclient() as http:
                body = emu.imagine_body("resume me", session_id=first.session_id or "")
                await apost_interaction(http, body)
            assert await first.wait_closed() == 1006  # TCP drop, no close frame
            last_seq = first.seq
            assert emu.admin_call("GET", "/_sandbox/faults")["faults"] == {}  # used up
            # Messages emitted while nobody is connected wait in the session's buffer.
            await asyncio.sleep(0.4)
            await second.open(identify=False, url=first.resume_url)
            await second.send({"op": 6, "d": {"token": emu.token, "session_id": first.session_id, "seq": last_seq}})
            resumed = await second.wait(lambda f: f.get("t") == "RESUMED")
            replayed = [f for f in second.dispatches() if f["s"] < resumed["s"]]
            assert replayed, "dispatches emitted during the outage were replayed"
            assert [f["s"] for f in replayed] == list(range((last_seq or 0) + 1, resumed["s"]))
            final = await second.wait(
                lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"]) and "resume me" in f["d"]["content"],
                timeout=15,
            )
            assert final["s"] > resumed["s"]
            assert emu.admin_call("GET", "/stats")["gateway"]["resumes"] == 1
        finally:
            await first.close()
            await second.close()

    run(scenario())


def test_resume_of_unknown_session_gets_invalid_session(emu: Emu) -> None:
    async def scenario() -> None:
        client = Gateway(emu.outputs["gateway_url"], emu.token)
        try:
            await client.open(identify=False)
            await client.send({"op": 6, "d": {"token": emu.token, "session_id": "f" * 32, "seq": 3}})
            invalid = await client.wait(lambda f: f.get("op") == 9)
            assert invalid["d"] is False
        finally:
            await client.close()

    run(scenario())


def test_gateway_down_refuses_and_drops_connections(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as connected:
            emu.admin_call("PUT", "/_sandbox/faults", {"gateway_down": True})
            assert await connected.wait_closed() == 1006
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(emu.outputs["gateway_url"] + "/?v=10&encoding=json", open_timeout=5)
        assert refused.value.response.status_code == 503
        emu.admin_call("PUT", "/_sandbox/faults", {"gateway_down": None})
        async with gateway(emu) as again:
            assert again.session_id

    run(scenario())


def test_zlib_stream_transport_compression(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu, compress=True) as gw:
            assert gw.dispatches("READY")
        # Each frame must end with the Z_SYNC_FLUSH suffix, as Discord's zlib-stream does.
        raw = await websockets.connect(emu.outputs["gateway_url"] + "/?v=10&encoding=json&compress=zlib-stream")
        try:
            frame = await raw.recv()
            assert isinstance(frame, bytes) and frame.endswith(b"\x00\x00\xff\xff")
            assert b"heartbeat_interval" in zlib.decompressobj().decompress(frame)
        finally:
            await raw.close()

    run(scenario())
