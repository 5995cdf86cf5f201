"""Bot accounts beside the user token (issue 25): the two identities real deployments use.

A bot reads (`Authorization: Bot <token>`: channel history, one message by id, its own Gateway
session with intents) while the user token interacts. Discord refuses a token sent with the other
identity's scheme, keeps INTERACTION_* events and ephemeral messages to the user, and honours a
bot's intents; these tests hold the emulator to each of those."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from ._support import Emu, Gateway, apost_interaction, gateway, is_grid, post_interaction, run, with_nonce

UNAUTHORIZED = {"message": "401: Unauthorized", "code": 0}
GUILDS, GUILD_MESSAGES, MESSAGE_CONTENT = 1, 1 << 9, 1 << 15
READER_INTENTS = GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT  # 33281, as ss_automation's bot sends


def _grid_via_user(emu: Emu, prompt: str) -> dict:
    async def scenario() -> dict:
        async with gateway(emu) as gw, emu.aclient() as http:
            await apost_interaction(http, emu.imagine_body(prompt, session_id=gw.session_id or ""))
            return (await gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"])))["d"]

    grid: dict = run(scenario())
    return grid


def test_a_bot_reads_history_and_one_message_a_user_token_cannot(emu: Emu) -> None:
    grid = _grid_via_user(emu, "a lighthouse")
    channel = emu.outputs["channel_id"]
    with emu.bot_client() as bot, emu.client() as user:
        me = bot.get("/users/@me").json()
        assert me["id"] == emu.outputs["bot_user_id"] and me["bot"] is True
        history = bot.get(f"/channels/{channel}/messages", params={"limit": 5})
        assert history.status_code == 200 and grid["id"] in [m["id"] for m in history.json()]
        one = bot.get(f"/channels/{channel}/messages/{grid['id']}")
        assert one.status_code == 200
        body = one.json()
        assert body["id"] == grid["id"] and body["components"] == grid["components"] and "nonce" not in body
        missing = bot.get(f"/channels/{channel}/messages/1")
        assert (missing.status_code, missing.json()["code"]) == (404, 10008)
        refused = user.get(f"/channels/{channel}/messages/{grid['id']}")
        assert refused.status_code == 403
        assert refused.json() == {"message": "Only bots can use this endpoint", "code": 20002}


def test_a_token_with_the_other_identitys_scheme_is_refused(emu: Emu) -> None:
    channel = emu.outputs["channel_id"]
    for header in (f"Bot {emu.token}", emu.bot_token, f"Bearer {emu.bot_token}", f"Bot {emu.bot_token}x"):
        with emu.client(header) as http:
            for path in ("/users/@me", f"/channels/{channel}/messages"):
                response = http.get(path)
                assert (response.status_code, response.json()) == (401, UNAUTHORIZED), (header[:4], path)

    # IDENTIFY takes a bot's token with or without "Bot " (discord-api-docs #119), a user's only raw.
    assert run(_fresh_identify(emu, f"Bot {emu.token}", None)) == 4004
    assert run(_fresh_identify(emu, emu.bot_token, READER_INTENTS)) == "ready"
    assert run(_fresh_identify(emu, f"Bot {emu.bot_token}", READER_INTENTS)) == "ready"


async def _fresh_identify(emu: Emu, token: str, intents: int | None) -> int | str:
    """IDENTIFY with `token`: "ready", or the close code the Gateway answered with."""
    client = Gateway(emu.outputs["gateway_url"], token)
    try:
        await client.open(intents=intents)
        return "ready"
    except AssertionError:
        return await client.wait_closed()
    finally:
        await client.close()


def test_a_bot_may_not_use_the_user_routes(emu: Emu) -> None:
    with emu.bot_client() as bot:
        refused = bot.post("/interactions", json=emu.imagine_body("a fox"))
        assert (refused.status_code, refused.json()) == (
            403,
            {"message": "Bots cannot use this endpoint", "code": 20001},
        )
        index = bot.get(f"/guilds/{emu.outputs['guild_id']}/application-command-index")
        assert (index.status_code, index.json()["code"]) == (403, 20001)
    assert emu.admin_call("GET", "/jobs")["jobs"] == []  # nothing reached the bot


def test_a_bot_session_gets_the_channels_messages_and_not_the_users_interactions(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as user_gw, gateway(emu, token=emu.bot_token, intents=READER_INTENTS) as bot_gw:
            ready = bot_gw.dispatches("READY")[0]["d"]
            assert ready["user"]["id"] == emu.outputs["bot_user_id"] and ready["user"]["bot"] is True
            assert ready["guilds"] == [{"id": emu.outputs["guild_id"], "unavailable": True}]
            await bot_gw.wait(lambda f: f.get("t") == "GUILD_CREATE")
            async with emu.aclient() as http:
                # Once naming the user's session, once a session id nobody has.
                named = emu.imagine_body("a red fox", session_id=user_gw.session_id or "")
                unnamed = emu.imagine_body("a grey wolf")
                for body in (named, unnamed):
                    assert (await apost_interaction(http, body)).status_code == 204
                for body in (named, unnamed):
                    await user_gw.wait(with_nonce("INTERACTION_SUCCESS", body["nonce"]))
                    grid = await bot_gw.wait(_grid_of(str(body["data"]["options"][0]["value"])))
                    assert grid["d"]["attachments"] and grid["d"]["components"]
            bot_events = {f["t"] for f in bot_gw.dispatches()}
            assert not {e for e in bot_events if e.startswith("INTERACTION_")}, bot_events
            assert {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"} <= bot_events
            # The same messages reach both sessions (the bot also sees the waiting message's nonce).
            waiting = await bot_gw.wait(with_nonce("MESSAGE_CREATE", named["nonce"]))
            assert waiting["d"]["content"].endswith("(Waiting to start)")

    run(scenario())


def _grid_of(prompt: str) -> Callable[[dict], bool]:
    return lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"]) and prompt in f["d"]["content"]


def test_ephemeral_messages_reach_only_the_user(emu: Emu) -> None:
    async def scenario() -> None:
        async with gateway(emu) as user_gw, gateway(emu, token=emu.bot_token, intents=READER_INTENTS) as bot_gw:
            async with emu.aclient() as http:
                body = emu.imagine_body("mjtest:action_needed a cat", session_id=user_gw.session_id or "")
                await apost_interaction(http, body)
            notice = await user_gw.wait(with_nonce("MESSAGE_CREATE", body["nonce"]))
            assert notice["d"]["flags"] == 64
            await asyncio.sleep(0.2)
            assert not [f for f in bot_gw.dispatches("MESSAGE_CREATE") if f["d"]["id"] == notice["d"]["id"]]

    run(scenario())


def test_a_bot_sessions_intents_are_honoured(emu: Emu) -> None:
    async def scenario() -> None:
        async with (
            gateway(emu) as user_gw,
            gateway(emu, token=emu.bot_token, intents=GUILDS) as guilds_only,
            gateway(emu, token=emu.bot_token, intents=GUILDS | GUILD_MESSAGES) as no_content,
        ):
            async with emu.aclient() as http:
                await apost_interaction(http, emu.imagine_body("a blue heron", session_id=user_gw.session_id or ""))
            await user_gw.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and is_grid(f["d"]))
            grid = await no_content.wait(lambda f: f.get("t") == "MESSAGE_CREATE" and f["d"]["type"] == 19)
            await asyncio.sleep(0.1)
            assert not guilds_only.dispatches("MESSAGE_CREATE") and not guilds_only.dispatches("MESSAGE_UPDATE")
            # Without MESSAGE_CONTENT a message that does not mention the bot arrives emptied.
            data = grid["d"]
            assert (data["content"], data["embeds"], data["attachments"], data["components"]) == ("", [], [], [])
            assert data["author"]["id"] == emu.outputs["application_id"]

    run(scenario())
    # Undocumented bits and a missing field are invalid (4013); a privileged intent the app has
    # not enabled is disallowed (4014).
    assert run(_fresh_identify(emu, emu.bot_token, 1 << 30)) == 4013
    assert run(_fresh_identify(emu, emu.bot_token, -1)) == 4013
    assert run(_fresh_identify(emu, emu.extra_bots["no_content"], READER_INTENTS)) == 4014
    assert run(_fresh_identify(emu, emu.extra_bots["no_content"], GUILDS | GUILD_MESSAGES)) == "ready"


def test_a_bot_outside_the_guild_and_one_without_message_content(emu: Emu) -> None:
    grid = _grid_via_user(emu, "a green parrot")
    channel = emu.outputs["channel_id"]
    with emu.bot_client(emu.extra_bots["outsider"]) as outsider:
        for path in (f"/channels/{channel}/messages", f"/channels/{channel}/messages/{grid['id']}"):
            response = outsider.get(path)
            assert (response.status_code, response.json()) == (403, {"message": "Missing Access", "code": 50001})
        assert outsider.get("/users/@me").status_code == 200
    with emu.bot_client(emu.extra_bots["no_content"]) as reader:
        message = reader.get(f"/channels/{channel}/messages/{grid['id']}").json()
        assert message["id"] == grid["id"] and message["content"] == "" and message["components"] == []


def test_rate_limits_are_per_token(emu: Emu) -> None:
    path = f"/channels/{emu.outputs['channel_id']}/messages"
    emu.admin_call("PUT", "/settings", {"time_scale": 1.0})  # a window of 5 real seconds
    try:
        with emu.client() as user, emu.bot_client() as bot:
            statuses = [user.get(path).status_code for _ in range(6)]
            assert statuses[-1] == 429, statuses
            assert bot.get(path).status_code == 200  # the bot's bucket is its own
    finally:
        emu.admin_call("PUT", "/settings", {"time_scale": 1000.0})


def test_attachments_are_cdn_shaped_under_the_configured_base(emu: Emu) -> None:
    grid = _grid_via_user(emu, "a quiet harbour")
    attachment = grid["attachments"][0]
    cdn, media, channel = emu.outputs["cdn_url"], emu.outputs["media_url"], emu.outputs["channel_id"]
    prefix = f"/attachments/{channel}/{attachment['id']}/{attachment['filename']}?ex="
    assert attachment["url"].startswith(cdn + prefix) and attachment["proxy_url"].startswith(media + prefix)
    for url in (attachment["url"], attachment["proxy_url"]):
        # The CDN needs no Authorization and ignores one.
        response = httpx.get(url, headers={"Authorization": f"Bot {emu.bot_token}"}, timeout=10)
        assert response.status_code == 200 and response.headers["content-type"] == attachment["content_type"]
    forged = attachment["url"].replace("hm=", "hm=0")
    assert httpx.get(forged, timeout=10).status_code == 404
    with emu.client() as http:  # the interaction route still answers the user
        assert post_interaction(http, emu.imagine_body("a second harbour")).status_code == 204
