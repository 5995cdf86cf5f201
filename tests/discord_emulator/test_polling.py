"""The whole imagine + upscale flow with REST only (the polling fallback a client uses when the
gateway is unavailable), interaction events routed by session, and reset during a job."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from workbook.sandbox.discord._snowflake import snowflake_from_ms

from ._support import Emu, Gateway, apost_interaction, gateway, is_grid, post_interaction, run, with_nonce

Json = dict[str, Any]


def _poll(emu: Emu, after: str, predicate: Any, timeout_s: float = 15.0) -> Json:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for message in emu.history(after=after, limit=100):
            if predicate(message):
                return message
        time.sleep(0.02)
    raise AssertionError("message did not appear in channel history")


def test_imagine_and_upscale_by_polling_only(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"gateway_down": True})
    since = str(snowflake_from_ms(int(time.time() * 1000) - 1))
    body = emu.imagine_body("poll me https://example.com/x.png")
    with emu.client() as http:
        assert post_interaction(http, body).status_code == 204
        waiting = _poll(emu, since, lambda m: m["type"] == 20 and m["content"].startswith("**poll me"))
        assert waiting["content"].startswith("**poll me <https://s.mj.run/")
        assert "nonce" not in waiting, "Discord keeps no nonce in history; only the gateway event has it"
        interaction_id = waiting["interaction_metadata"]["id"]
        grid = _poll(emu, since, lambda m: is_grid(m) and m["interaction_metadata"]["id"] == interaction_id)
        assert all(m["id"] != waiting["id"] for m in emu.history(limit=100))  # progress message deleted
        upscale_button = grid["components"][0]["components"][0]["custom_id"]
        assert post_interaction(http, emu.button_body(grid, upscale_button)).status_code == 204
        reply = _poll(emu, grid["id"], lambda m: m["type"] == 19 and "Image #1" in m["content"])
    assert reply["message_reference"]["message_id"] == grid["id"]
    assert int(reply["id"]) > int(grid["id"]) > int(since)
    stats = emu.admin_call("GET", "/stats")
    assert stats["rest_calls"]["POST /interactions"] == 2 and stats["gateway"].get("refused", 0) == 0


def test_interaction_events_go_to_the_session_that_sent_the_interaction(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as mine, gateway(emu) as other, emu.aclient() as http:
            body = emu.imagine_body("routed", session_id=mine.session_id or "")
            await apost_interaction(http, body)
            await mine.wait(with_nonce("INTERACTION_SUCCESS", body["nonce"]))
            await other.wait(with_nonce("MESSAGE_CREATE", body["nonce"]))  # messages go to every session
            assert not [f for f in other.dispatches() if f["t"].startswith("INTERACTION_")]

    run(scenario())


def test_reset_cancels_jobs_in_flight(emu: Emu) -> None:
    emu.admin_call("PUT", "/settings", {"timings": {"first_progress_s": 100.0}})

    async def scenario() -> None:
        watcher = Gateway(emu.outputs["gateway_url"], emu.token)
        try:
            await watcher.open()
            async with emu.aclient() as http:
                body = emu.imagine_body("cancel me", session_id=watcher.session_id or "")
                await apost_interaction(http, body)
            await watcher.wait(with_nonce("MESSAGE_CREATE", body["nonce"]))
            emu.admin_call("POST", "/reset")
            assert await watcher.wait_closed() == 1006
            await asyncio.sleep(0.3)
            assert emu.history() == [] and emu.admin_call("GET", "/jobs")["jobs"] == []
            assert emu.admin_call("GET", "/emitted")["emitted"] == []
        finally:
            await watcher.close()

    run(scenario())


def test_health_is_not_authenticated_or_counted(emu: Emu) -> None:
    assert httpx.get(emu.admin + "/health").status_code == 200
    assert emu.admin_call("GET", "/stats")["rest_calls_total"] == 0
