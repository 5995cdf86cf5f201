"""The emulator's default shapes are the live v7 bot's (public captures, issue 13): webp grids
posted as replies to the waiting message with a markdown job link and a Web button, irregular
progress with a `-# ` second line and no preview before 35 %, the "Upscaling image #N with"
acknowledgement, the older eras' variants, and the notices ("Slow Down!", decline, output filter,
captcha, an unknown title)."""

from __future__ import annotations

import asyncio
import io
import re
import time
from typing import Any

from PIL import Image

from ._support import Emu, apost_interaction, gateway, is_grid, run, with_nonce

Json = dict[str, Any]
V7_LADDER = [17, 20, 27, 35, 47, 56, 64, 72, 81, 89, 95]


def _content(frame: Json) -> str:
    return str(frame["d"].get("content", ""))


def test_v7_imagine_and_upscale_flow(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            body = emu.imagine_body("a lighthouse --v 7 --style raw", session_id=gw.session_id or "")
            assert (await apost_interaction(http, body)).status_code == 204
            waiting = (await gw.wait(with_nonce("MESSAGE_CREATE", body["nonce"])))["d"]
            assert waiting["type"] == 20 and waiting["content"].endswith("(Waiting to start)")
            final = (await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"])))["d"]
            echo = "a lighthouse --v 7.0 --raw"  # the rewrites of --v 7 and --style raw
            progress = [f["d"] for f in gw.dispatches("MESSAGE_UPDATE") if f["d"]["id"] == waiting["id"]]
            percents = [int(re.search(r"\((\d+)%\)", p["content"]).group(1)) for p in progress]  # type: ignore[union-attr]
            assert percents == V7_LADDER
            assert all(p["content"].split("\n")[1].startswith("-# ") for p in progress)
            assert all(p["attachments"] == [] for p, n in zip(progress, percents, strict=True) if n < 35)
            digest = final["components"][0]["components"][0]["custom_id"].rsplit("::", 1)[1]
            assert all(p["attachments"][0]["filename"] == f"{digest}_grid_0.webp" for p in progress[3:])
            # The live bot puts no Cancel Job (no components at all) on /imagine progress (issue 25).
            assert all(p["components"] == [] for p in progress) and waiting["components"] == []
            deleted = [f["d"]["id"] for f in gw.dispatches("MESSAGE_DELETE")]
            assert waiting["id"] in deleted
            user = emu.outputs["user_id"]
            link = f"[(Open on website for full quality)](<https://midjourney.com/jobs/{digest}>)"
            assert final["content"] == f"**{echo}** - <@{user}> {link} (fast)"
            assert final["type"] == 19 and final["message_reference"]["message_id"] == waiting["id"]
            assert final["referenced_message"] is None  # the waiting message is gone
            assert final["components"][2]["components"][0]["url"].startswith(
                f"https://www.midjourney.com/jobs/{digest}"
            )
            attachment = final["attachments"][0]
            assert attachment["filename"].endswith(f"_{digest}.webp") and attachment["content_type"] == "image/webp"
            image = Image.open(io.BytesIO((await http.get(attachment["url"])).content))
            assert image.format == "WEBP" and image.size == (attachment["width"], attachment["height"])
            press = emu.button_body(
                final, final["components"][0]["components"][1]["custom_id"], session_id=gw.session_id or ""
            )
            await apost_interaction(http, press)
            ack = (await gw.wait(with_nonce("MESSAGE_CREATE", press["nonce"])))["d"]
            assert ack["content"] == f"Upscaling image #2 with **{echo}** - <@{user}> (Waiting to start)"
            assert ack["components"][0]["components"][0]["custom_id"].startswith("MJ::CancelJob::ByJobid::")
            result = (await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and "Image #2" in _content(f)))["d"]
            assert result["message_reference"]["message_id"] == final["id"] and result["type"] == 19
            labels = [b.get("label") for row in result["components"] for b in row["components"]]
            assert labels[:5] == [
                "Upscale (Subtle)",
                "Upscale (Creative)",
                "Vary (Subtle)",
                "Vary (Strong)",
                "Vary (Region)",
            ]
            assert len(labels) == 16 and labels[-1] == "Web"  # the live bot's 16 buttons
            assert all(len(row["components"]) <= 5 for row in result["components"]) and len(result["components"]) <= 5
            assert ack["id"] in [f["d"]["id"] for f in gw.dispatches("MESSAGE_DELETE")]

    run(scenario())


def _final_of(emu: Emu, prompt: str) -> Json:
    async def scenario() -> Json:
        async with gateway(emu) as gw, emu.aclient() as http:
            await apost_interaction(http, emu.imagine_body(prompt, session_id=gw.session_id or ""))
            frame = await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"]))
            updates = [f["d"]["content"] for f in gw.dispatches("MESSAGE_UPDATE")]
            return {**frame["d"], "_updates": updates}

    result: Json = run(scenario())
    return result


def test_mode_and_era_variants(emu: Emu) -> None:
    emu.admin_call("PUT", "/settings", {"stealth": True})
    assert _final_of(emu, "a stealthy cat")["content"].endswith(") (fast, stealth)")
    emu.admin_call("PUT", "/settings", {"stealth": False, "relax_paused": True})
    relaxed = _final_of(emu, "a patient cat --relax")
    assert relaxed["content"].endswith(") (relaxed)") and any("(paused) (relaxed)" in u for u in relaxed["_updates"])
    emu.admin_call("PUT", "/settings", {"era": "v6"})
    v6 = _final_of(emu, "an older cat")
    assert v6["content"].endswith("> (Open on website for full quality) (fast)") and v6["type"] == 0
    assert v6["attachments"][0]["content_type"] == "image/png"
    assert [int(n) for n in re.findall(r"\((\d+)%\)", " ".join(v6["_updates"]))] == [0, 15, 31, 46, 62, 78, 93]


def test_v4_upscales_are_acknowledged_then_upscaled_by(emu: Emu) -> None:
    emu.admin_call("PUT", "/settings", {"era": "v4"})

    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            await apost_interaction(http, emu.imagine_body("a castle --v 4", session_id=gw.session_id or ""))
            grid = (await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"])))["d"]
            await apost_interaction(http, emu.button_body(grid, grid["components"][0]["components"][0]["custom_id"]))
            done = await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and "Upscaled by" in _content(f))
            assert done["d"]["content"] == f"**a castle --v 4** - Upscaled by <@{emu.outputs['user_id']}> (fast)"
            assert done["d"]["message_reference"]["message_id"] == grid["id"]
            assert any(_content(f).startswith("Upscaling image #1 with **a castle --v 4**") for f in gw.dispatches())

    run(scenario())


def test_slow_down_then_the_same_button_works_after_the_time_it_names(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            await apost_interaction(http, emu.imagine_body("mjtest:slow_down a fox", session_id=gw.session_id or ""))
            grid = (await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"])))["d"]
            custom_id = grid["components"][0]["components"][0]["custom_id"]
            first = emu.button_body(grid, custom_id)
            await apost_interaction(http, first)
            slow = (await gw.wait(with_nonce("MESSAGE_CREATE", first["nonce"])))["d"]
            embed = slow["embeds"][0]
            assert embed["title"] == "Slow Down!" and slow["message_reference"]["message_id"] == grid["id"]
            until = int(re.search(r"<t:(\d+):R>", embed["description"]).group(1))  # type: ignore[union-attr]
            assert slow["id"] in {m["id"] for m in emu.history()}, "the notice is in history, so polling sees it"
            time.sleep(max(0.0, until - time.time()) + 0.05)
            await apost_interaction(http, emu.button_body(grid, custom_id))
            await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and "Image #1" in _content(f))

    run(scenario())


async def _all_finished(emu: Emu, count: int, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        statuses = [j["status"] for j in emu.admin_call("GET", "/jobs")["jobs"]]
        if len(statuses) == count and not {"submitted", "queued", "running"} & set(statuses):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"jobs still running: {statuses}")


def test_notice_markers(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            bodies = {
                marker: emu.imagine_body(f"mjtest:{marker} a boat", session_id=gw.session_id or "")
                for marker in ("decline", "output_filter", "captcha", "unknown_notice")
            }
            for body in bodies.values():
                await apost_interaction(http, body)

            async def embed_titled(title: str) -> Json:
                # Jobs run concurrently: each notice may still be on its way when another has arrived.
                frame = await gw.wait(
                    lambda f: (
                        f.get("t") == "MESSAGE_CREATE"
                        and bool(f["d"].get("embeds"))
                        and f["d"]["embeds"][0].get("title") == title
                    ),
                    timeout=30,
                )
                return frame["d"]

            await gw.wait(
                lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"]) and "unknown_notice" in _content(f)
            )
            decline = await embed_titled("Sorry, something went wrong")
            assert decline["embeds"][0]["footer"]["text"].startswith("decline-") and decline["type"] == 19
            filtered = await embed_titled("Request cancelled due to output filters")
            assert filtered["message_reference"]["message_id"] in [
                f["d"]["id"] for f in gw.dispatches("MESSAGE_DELETE")
            ]
            captcha = await embed_titled("Action required to continue")
            assert captcha["flags"] == 64 and captcha["nonce"] == bodies["captcha"]["nonce"]
            assert captcha["components"][0]["components"][0]["custom_id"].startswith("MJ::iframe::")
            unknown = await embed_titled("Midjourney V8 Alpha")
            assert unknown["type"] == 19
            jobs = {j["prompt"]: j["status"] for j in emu.admin_call("GET", "/jobs")["jobs"]}
            assert jobs == {
                "mjtest:decline a boat": "error:decline",
                "mjtest:output_filter a boat": "error:output_filter",
                "mjtest:captcha a boat": "error:captcha",
                "mjtest:unknown_notice a boat": "done",
            }

    run(scenario())


def test_action_grids_of_the_same_prompt_appear_while_a_job_runs(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"action_grids": True})

    async def scenario() -> None:
        async with gateway(emu) as gw, emu.aclient() as http:
            body = emu.imagine_body("a red fox --ar 1:1", session_id=gw.session_id or "")
            await apost_interaction(http, body)
            waiting = (await gw.wait(with_nonce("MESSAGE_CREATE", body["nonce"])))["d"]
            own = (
                await gw.wait(
                    lambda f: (
                        f.get("t") == "MESSAGE_CREATE"
                        and is_grid(f["d"])
                        and f["d"].get("message_reference", {}).get("message_id") == waiting["id"]
                    )
                )
            )["d"]
            others = [f["d"] for f in gw.dispatches("MESSAGE_CREATE") if is_grid(f["d"]) and f["d"]["id"] != own["id"]]
            phrases = [o["content"].split("** - ")[1].split("<@")[0] for o in others]
            assert phrases == ["Variations (Strong) by ", "Zoom Out by ", "Pan Right by ", "Remix (Subtle) by ", ""]
            assert all(o["interaction_metadata"]["type"] == 3 and int(o["id"]) > int(waiting["id"]) for o in others)
            assert "--ar 3:2" in others[2]["content"] and "--ar 1:1" not in others[2]["content"]
            assert emu.admin_call("GET", "/stats")["faults_fired"]["action_grids"] == 1

    run(scenario())
