"""Attachment URLs have the CDN's shape under a configurable base, and the emulator serves that
path: a harness can give real-looking hosts (cdn.discordapp.com, media.discordapp.net) and map
them onto the emulator's port, where `/attachments/<channel>/<id>/<file>` is served at the root."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

import httpx
from aiohttp import web

from workbook.sandbox.discord._app import build_app
from workbook.sandbox.discord._config import EmulatorConfig, Settings
from workbook.sandbox.discord._emulator import Emulator


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_configured_cdn_base_shapes_the_urls_and_the_path_is_served() -> None:
    async def scenario() -> None:
        port = _free_port()
        config = EmulatorConfig(
            port=port,
            token="user-token",
            guild_id="1",
            channel_id="2",
            user_id="3",
            cdn_url="https://cdn.discordapp.com",
            media_url="https://media.discordapp.net",
        )
        emulator = Emulator(config, Settings())
        runner = web.AppRunner(build_app(emulator))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            attachment = await emulator.bot.core.emit.attachment("upscale", "a" * 36, 1, 64, 64, "x_a.png")
            url, proxy = urlsplit(attachment["url"]), urlsplit(attachment["proxy_url"])
            assert (url.scheme, url.netloc) == ("https", "cdn.discordapp.com")
            assert (proxy.scheme, proxy.netloc) == ("https", "media.discordapp.net")
            assert url.path == f"/attachments/2/{attachment['id']}/x_a.png" == proxy.path
            assert "127.0.0.1" not in attachment["url"] and "ex=" in url.query and "hm=" in url.query
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                # The host mapped onto this port: the same path and query, served without auth.
                served = await http.get(f"{url.path}?{url.query}", headers={"Host": "cdn.discordapp.com"})
                assert served.status_code == 200 and served.headers["content-type"] == "image/png"
                assert (await http.get(f"{url.path}?{url.query.replace('hm=', 'hm=x')}")).status_code == 404
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
