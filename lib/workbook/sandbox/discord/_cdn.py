"""The attachment CDN: signed URLs under `{cdn_base}/attachments/<channel>/<id>/<file>` (and the same
path under `{media_base}` for `proxy_url`), served like cdn.discordapp.com: no Authorization, the
`?ex=&is=&hm=` signature checked, bytes re-rendered from the recipe. Downloads are counted apart
from REST calls."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from ._config import EmulatorConfig
from ._emulator import EMULATOR_KEY

CDN_PATH = "/attachments/{channel_id}/{attachment_id}/{filename}"


async def get_attachment(request: web.Request) -> web.Response:
    """Serve an attachment the way cdn.discordapp.com does: signed URL, no Authorization needed."""
    emulator = request.app[EMULATOR_KEY]
    att_id = request.match_info["attachment_id"]
    recipe = emulator.bot.core.emit.attachments.get(att_id)
    ex, issued, signature = (request.query.get(k, "") for k in ("ex", "is", "hm"))
    valid = (
        recipe is not None
        and request.match_info["channel_id"] == emulator.config.channel_id
        and request.match_info["filename"] == recipe.filename
        and signature == emulator.bot.core.emit.sign(att_id, ex, issued)
    )
    # CDN downloads are not Discord API calls: counted apart so REST-per-job figures stay honest.
    emulator.obs.cdn["served" if valid else "not_found"] += 1
    if recipe is None or not valid:
        return web.Response(status=404, text="This content is no longer available.")
    data = await emulator.render(recipe.kind, recipe.job_hash, recipe.index, recipe.width, recipe.height)
    return web.Response(
        body=data, content_type=recipe.content_type, headers={"Cache-Control": "public, max-age=31536000"}
    )


def cdn_paths(config: EmulatorConfig) -> list[str]:
    """The paths this process serves attachments at: under the CDN and media bases when they point
    here, and always under `/`, `/cdn` and `/media` (a harness may map another host, such as
    cdn.discordapp.com, onto this port)."""
    prefixes = {"", "/cdn", "/media"}
    for base in (config.cdn_base, config.media_base):
        parts = urlsplit(base)
        if parts.hostname in (config.host, "localhost") and parts.port == config.port:
            prefixes.add(parts.path.rstrip("/"))
    return sorted(prefix + CDN_PATH for prefix in prefixes)


def add_routes(app: web.Application, config: EmulatorConfig) -> None:
    for path in cdn_paths(config):
        app.router.add_get(path, get_attachment)
