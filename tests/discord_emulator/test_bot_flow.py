"""The Midjourney bot's message flow as seen on the gateway and in history: waiting message with
the nonce, progress edits, deletion, final grid with buttons, upscale replies, images."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat

from ._support import Emu, Gateway, apost_interaction, gateway, is_grid, run, with_nonce

Json = dict[str, Any]


def _content(frame: Json) -> str:
    return str(frame["d"].get("content", ""))


def _grid_for(gw: Gateway, interaction_id: str) -> Json:
    return next(
        f["d"]
        for f in gw.dispatches("MESSAGE_CREATE")
        if f["d"].get("interaction_metadata", {}).get("id") == interaction_id and is_grid(f["d"])
    )


async def _imagine(emu: Emu, gw: Gateway, http: httpx.AsyncClient, prompt: str) -> tuple[str, Json]:
    """Submit and wait for the final grid; returns (interaction id, grid message)."""
    body = emu.imagine_body(prompt, session_id=gw.session_id or "")
    response = await apost_interaction(http, body)
    assert response.status_code == 204
    success = await gw.wait(lambda f: f.get("t") == "INTERACTION_SUCCESS" and f["d"]["nonce"] == body["nonce"])
    interaction_id = success["d"]["id"]
    await gw.wait(
        lambda f: (
            f.get("t") == "MESSAGE_CREATE"
            and is_grid(f["d"])
            and f["d"].get("interaction_metadata", {}).get("id") == interaction_id
        )
    )
    return interaction_id, _grid_for(gw, interaction_id)


def test_hello_ready_heartbeat(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw:
            hello = gw.frames[0]
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] >= 1000
            ready = gw.dispatches("READY")[0]
            assert ready["s"] == 1 and len(ready["d"]["session_id"]) == 32
            assert ready["d"]["user"]["id"] == emu.outputs["user_id"]
            assert ready["d"]["resume_gateway_url"].startswith("ws://127.0.0.1:")
            await gw.send({"op": 1, "d": 1})
            await gw.wait(lambda f: f.get("op") == 11)

    run(scenario())


def test_imagine_flow_on_the_gateway_in_the_v5_shapes(emu: Emu) -> None:
    emu.admin_call("PUT", "/settings", {"era": "v5", "suffix": "--v 6.1"})

    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            body = emu.imagine_body("a red  apple —ar 3:2", session_id=gw.session_id or "")
            assert (await apost_interaction(http, body)).status_code == 204
            created = await gw.wait(lambda f: f.get("t") == "INTERACTION_CREATE")
            assert created["d"]["nonce"] == body["nonce"]
            interaction_id = created["d"]["id"]
            await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"]))
            events = [f for f in gw.dispatches() if f["t"] != "READY"]
            kinds = [f["t"] for f in events]
            assert kinds[:3] == ["INTERACTION_CREATE", "INTERACTION_SUCCESS", "MESSAGE_CREATE"]
            assert kinds[-2:] == ["MESSAGE_DELETE", "MESSAGE_CREATE"]
            seqs = [f["s"] for f in gw.dispatches()]
            assert seqs == list(range(1, len(seqs) + 1))
            waiting = events[2]["d"]
            echoed = "a red apple --ar 3:2 --v 6.1"
            assert waiting["content"] == f"**{echoed}** - <@{emu.outputs['user_id']}> (Waiting to start)"
            assert waiting["nonce"] == body["nonce"] and waiting["interaction_metadata"]["id"] == interaction_id
            assert waiting["guild_id"] == emu.outputs["guild_id"] and waiting["type"] == 20
            progress = [f["d"] for f in events if f["t"] == "MESSAGE_UPDATE"]
            assert all(p["id"] == waiting["id"] for p in progress)
            assert [p["content"].rsplit(" - ", 1)[1].split(">", 1)[1] for p in progress] == [
                f" ({n}%) (fast)" for n in (0, 15, 31, 46, 62, 78, 93)
            ]
            hashes = {p["attachments"][0]["filename"].removesuffix("_grid_0.webp") for p in progress[1:]}
            assert len(hashes) == 1
            job_hash = hashes.pop()
            assert events[-2]["d"] == {
                "id": waiting["id"],
                "channel_id": emu.outputs["channel_id"],
                "guild_id": emu.outputs["guild_id"],
            }
            grid = events[-1]["d"]
            assert grid["id"] != waiting["id"] and "nonce" not in grid
            assert grid["content"] == f"**{echoed}** - <@{emu.outputs['user_id']}> (fast)"
            custom_ids = [b["custom_id"] for row in grid["components"] for b in row["components"]]
            assert custom_ids == [
                *(f"MJ::JOB::upsample::{i}::{job_hash}" for i in range(1, 5)),
                f"MJ::JOB::reroll::0::{job_hash}::SOLO",
                *(f"MJ::JOB::variation::{i}::{job_hash}" for i in range(1, 5)),
            ]
            attachment = grid["attachments"][0]
            assert attachment["filename"].endswith(f"_{job_hash}.png")
            image = Image.open(io.BytesIO((await http.get(attachment["url"])).content))
            assert image.format == "PNG" and image.size == (attachment["width"], attachment["height"])
            assert image.width > image.height
            # History shows the final grid, not the deleted progress message.
            history = emu.history(limit=5)
            assert [m["id"] for m in history] == [grid["id"]] and "guild_id" not in history[0]

    run(scenario())


@pytest.mark.parametrize("grid_format", ["png", "webp"])
def test_upscale_replies_to_the_grid_with_its_quadrant(emu: Emu, grid_format: str) -> None:
    emu.admin_call("PUT", "/settings", {"image_base": 1024, "grid_format": grid_format})

    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            _, grid = await _imagine(emu, gw, http, "a lighthouse")
            custom_id = grid["components"][0]["components"][2]["custom_id"]  # U3
            press = emu.button_body(grid, custom_id, session_id=gw.session_id or "")
            assert (await apost_interaction(http, press)).status_code == 204
            reply = (await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and "Image #3" in _content(f)))["d"]
            assert reply["content"] == f"**a lighthouse --v 7.0** - Image #3 <@{emu.outputs['user_id']}>"
            assert reply["type"] == 19
            assert reply["message_reference"]["message_id"] == grid["id"]
            assert reply["referenced_message"]["id"] == grid["id"]
            used = [f["d"] for f in gw.dispatches("MESSAGE_UPDATE") if f["d"]["id"] == grid["id"]]
            assert used and used[-1]["components"][0]["components"][2]["style"] == 1
            grid_image = Image.open(io.BytesIO((await http.get(grid["attachments"][0]["url"])).content))
            upscale = Image.open(io.BytesIO((await http.get(reply["attachments"][0]["proxy_url"])).content))
            assert upscale.size == (1024, 1024) and grid_image.size == (2048, 2048)
            assert (grid_image.format, upscale.format) == (grid_format.upper(), "PNG")
            cell = grid_image.convert("RGB").crop((0, 1024, 1024, 2048))
            if grid_format == "png":
                assert cell.tobytes() == upscale.tobytes()
            else:  # lossy, as live webp finals are: the cell is still the upscale to within a shade
                assert sum(ImageStat.Stat(ImageChops.difference(cell, upscale.convert("RGB"))).mean) / 3 < 3
            # A button that is not on the message is refused.
            bad = await http.post("/interactions", json=emu.button_body(grid, "MJ::JOB::upsample::9::nope"))
            assert bad.status_code == 400 and bad.json()["code"] == 50035

    run(scenario())


def test_variation_and_reroll_make_new_grids(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            _, grid = await _imagine(emu, gw, http, "a fox")
            for custom_id in (
                grid["components"][1]["components"][0]["custom_id"],
                grid["components"][0]["components"][4]["custom_id"],
            ):
                await apost_interaction(http, emu.button_body(grid, custom_id, session_id=gw.session_id or ""))
            await gw.wait(
                lambda f: (
                    f.get("t") == "MESSAGE_CREATE"
                    and "Variations (Strong) by" in _content(f)
                    and f["d"]["components"]
                    and "(fast)" in _content(f)
                )
            )
            await gw.wait(
                lambda f: (
                    f.get("t") == "MESSAGE_CREATE"
                    and is_grid(f["d"])
                    and f["d"]["id"] != grid["id"]
                    and "Variations" not in _content(f)
                )
            )

    run(scenario())


def test_queue_three_running_ten_queued_then_full(emu: Emu) -> None:
    emu.admin_call("PUT", "/settings", {"timings": {"first_progress_s": 200.0}})

    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            bodies = [emu.imagine_body(f"job {i}", session_id=gw.session_id or "") for i in range(14)]
            for body in bodies:
                assert (await apost_interaction(http, body)).status_code == 204
            await gw.wait(lambda f: any(e.get("title") == "Queue full" for e in (f.get("d") or {}).get("embeds", [])))
            await gw.wait(
                lambda f: len([x for x in gw.dispatches("MESSAGE_CREATE") if "(Waiting to start)" in _content(x)]) == 3
            )
            by_nonce: dict[str, list[str]] = {}
            for frame in gw.dispatches("MESSAGE_CREATE"):
                data = frame["d"]
                label = data["embeds"][0]["title"] if data["embeds"] else "waiting"
                by_nonce.setdefault(data.get("nonce", ""), []).append(label)
            assert [by_nonce[b["nonce"]] for b in bodies[:3]] == [["waiting"]] * 3
            assert [by_nonce[b["nonce"]] for b in bodies[3:13]] == [["Job queued"]] * 10
            assert by_nonce[bodies[13]["nonce"]] == ["Queue full"]
            queued = next(f["d"] for f in gw.dispatches("MESSAGE_CREATE") if f["d"].get("nonce") == bodies[3]["nonce"])
            assert queued["embeds"][0]["footer"]["text"] == "/imagine job 3"

    run(scenario())


def test_error_markers_produce_error_embeds(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            cases = {
                "a mjtest:banned cat": "Banned prompt detected",
                "cat --use_raw": "Invalid parameter",
                "cat mjtest:invalid_param": "Invalid parameter",
                "mjtest:credits cat": "Credits exhausted",
                "mjtest:invalid_link cat": "Invalid link",
                "mjtest:pending_mod cat": "Pending mod message",
                "mjtest:action_needed cat": "Action needed to continue",
            }
            bodies = {prompt: emu.imagine_body(prompt, session_id=gw.session_id or "") for prompt in cases}
            for body in bodies.values():
                await apost_interaction(http, body)
            for prompt, title in cases.items():
                frame = await gw.wait(with_nonce("MESSAGE_CREATE", bodies[prompt]["nonce"]))
                embed = frame["d"]["embeds"][0]
                assert embed["title"] == title and embed["color"] == 16711680
                assert embed["footer"]["text"] == f"/imagine {prompt}"
            invalid = next(
                f["d"]
                for f in gw.dispatches("MESSAGE_CREATE")
                if f["d"].get("nonce") == bodies["cat --use_raw"]["nonce"]
            )
            assert invalid["embeds"][0]["description"] == "Unrecognized parameter(s): `use_raw`"
            action = next(
                f["d"]
                for f in gw.dispatches("MESSAGE_CREATE")
                if f["d"].get("nonce") == bodies["mjtest:action_needed cat"]["nonce"]
            )
            assert action["flags"] == 64
            history_ids = {m["id"] for m in emu.history()}
            assert action["id"] not in history_ids and len(history_ids) == len(cases) - 1
            # Appeal runs the job.
            appeal = action["components"][0]["components"][0]["custom_id"]
            await apost_interaction(http, emu.button_body(action, appeal))
            await gw.wait(
                lambda f: (
                    f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"]) and "mjtest:action_needed cat" in _content(f)
                )
            )

    run(scenario())


def test_failed_marker_replies_with_plain_content(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            body = emu.imagine_body("mjtest:failed cat")
            await apost_interaction(http, body)
            reply = await gw.wait(with_nonce("MESSAGE_CREATE", body["nonce"]))
            assert reply["d"]["content"].startswith("Failed") and reply["d"]["embeds"] == []

    run(scenario())


def test_moderated_prompt_is_stopped_and_deleted(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            body = emu.imagine_body("mjtest:moderated a cat")
            await apost_interaction(http, body)
            waiting = await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and f["d"].get("nonce") == body["nonce"])
            await gw.wait(lambda f: f.get("t") == "MESSAGE_DELETE" and f["d"]["id"] == waiting["d"]["id"])
            stopped = [f for f in gw.dispatches("MESSAGE_UPDATE") if _content(f).endswith("(Stopped)")]
            assert stopped
            assert emu.admin_call("GET", "/jobs")["jobs"][0]["status"] == "error:moderated"

    run(scenario())


async def _reverse_order_scenario(emu: Emu, count: int, pause_s: float) -> None:
    async with gateway(emu) as gw, emu.aclient() as http:
        bodies = [emu.imagine_body("same prompt", session_id=gw.session_id or "") for _ in range(count)]
        for body in bodies:
            await apost_interaction(http, body)
            await asyncio.sleep(pause_s)  # a paced client: earlier jobs are done before later ones start
        interactions = []
        for body in bodies:
            nonce = body["nonce"]
            frame = await gw.wait(with_nonce("INTERACTION_SUCCESS", nonce))
            interactions.append(frame["d"]["id"])

        def grids() -> list[str]:
            return [f["d"]["interaction_metadata"]["id"] for f in gw.dispatches("MESSAGE_CREATE") if is_grid(f["d"])]

        await gw.wait(lambda f: len(grids()) == count, timeout=20)
        assert grids() == list(reversed(interactions)), [interactions.index(g) for g in grids()]


def test_out_of_order_with_group_size_reverses_identical_prompts(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"out_of_order": 6})
    run(_reverse_order_scenario(emu, 6, 0.0))


def test_out_of_order_true_waits_for_paced_identical_submissions(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"out_of_order": True})
    run(_reverse_order_scenario(emu, 3, 0.3))


def test_stale_history_puts_older_results_of_the_prompt_in_the_channel(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"stale_history": True})

    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            body = emu.imagine_body("a castle", session_id=gw.session_id or "")
            await apost_interaction(http, body)
            interaction_id, grid = await _imagine_wait(gw, body["nonce"])
            # The old grid was edited while the job ran: a gateway watcher sees a stale message too.
            stale_update = next(
                f["d"]
                for f in gw.dispatches("MESSAGE_UPDATE")
                if f["d"]["attachments"]
                and f["d"]["attachments"][0]["filename"].endswith(".webp")
                and not f["d"]["attachments"][0]["filename"].endswith("_grid_0.webp")
            )
            assert int(stale_update["id"]) < int(grid["id"])
            assert stale_update["content"].split(" - ")[0] == grid["content"].split(" - ")[0]  # the same prompt
            older = [m for m in emu.history() if m["id"] != grid["id"]]
            assert [m["type"] for m in older] == [19, 19]  # v7: the old grid replies to its waiting message
            upscale = next(m for m in older if "Image #1" in m["content"])
            assert upscale["content"] == "**a castle --v 7.0** - Image #1 <@" + emu.outputs["user_id"] + ">"
            assert upscale["timestamp"] < grid["timestamp"] and int(upscale["id"]) < int(interaction_id)
            assert upscale["message_reference"]["message_id"] != grid["id"]

    run(scenario())


async def _imagine_wait(gw: Gateway, nonce: str) -> tuple[str, Json]:
    success = await gw.wait(lambda f: f.get("t") == "INTERACTION_SUCCESS" and f["d"]["nonce"] == nonce)
    interaction_id = success["d"]["id"]
    await gw.wait(
        lambda f: (
            f.get("t") == "MESSAGE_CREATE"
            and is_grid(f["d"])
            and f["d"].get("interaction_metadata", {}).get("id") == interaction_id
        )
    )
    return interaction_id, _grid_for(gw, interaction_id)


def test_emitted_log_has_timestamps_per_message(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            _, grid = await _imagine(emu, gw, http, "timed")
            emitted = emu.admin_call("GET", "/emitted")["emitted"]
            entry = next(e for e in emitted if e["message_id"] == grid["id"] and e["event"] == "MESSAGE_CREATE")
            assert entry["kind"] == "grid" and entry["job_hash"] in grid["attachments"][0]["filename"]
            received = next(f["_received_at"] for f in gw.dispatches("MESSAGE_CREATE") if f["d"]["id"] == grid["id"])
            assert 0 <= received - entry["emitted_at"] < 5
            later = emu.admin_call("GET", f"/emitted?after_seq={entry['emit_seq']}")["emitted"]
            assert all(e["emit_seq"] > entry["emit_seq"] for e in later)

    run(scenario())


def test_relax_parameter_switches_the_echoed_mode(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            _, grid = await _imagine(emu, gw, http, "a slow boat --relax")
            assert grid["content"].endswith(") (relaxed)")
            updates = gw.dispatches("MESSAGE_UPDATE")
            progress = [f["d"]["content"].split("\n")[0] for f in updates if "%)" in _content(f)]
            assert progress and all(c.endswith("(relaxed)") for c in progress)

    run(scenario())
