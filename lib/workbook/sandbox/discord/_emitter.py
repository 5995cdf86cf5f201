"""Emission: how a bot message reaches clients. Every create/update/delete goes to the channel
history (unless ephemeral), to each gateway session, and to the emitted-event log with its emit
timestamp; attachments get signed CDN URLs and a recipe to re-render their bytes on download."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import time
from typing import Any

from . import _images, _messages
from ._config import EmulatorConfig
from ._gateway import GatewayHub
from ._snowflake import SnowflakeGenerator, iso_timestamp
from ._store import AttachmentRecipe, ChannelStore, Observability

Json = dict[str, Any]
# Signed CDN URLs stay valid this long, like Discord's `ex` parameter.
URL_LIFETIME_S = 86400


class Emitter:
    def __init__(
        self,
        config: EmulatorConfig,
        store: ChannelStore,
        gateway: GatewayHub,
        obs: Observability,
        ids: SnowflakeGenerator,
    ) -> None:
        self.config = config
        self.store = store
        self.gateway = gateway
        self.obs = obs
        self.ids = ids
        self.attachments: dict[str, AttachmentRecipe] = {}

    def reset(self) -> None:
        self.attachments.clear()

    # -- messages ----------------------------------------------------------------------------------

    def _for_gateway(self, message: Json) -> Json:
        # Gateway copies of guild messages carry guild_id and member; REST history does not.
        data = copy.deepcopy(message)
        data["guild_id"] = self.config.guild_id
        data["member"] = {
            "roles": [],
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "deaf": False,
            "mute": False,
        }
        return data

    def create(self, message: Json, kind: str, job_hash: str | None) -> Json:
        self.store.put(message)
        self.obs.record_emit("MESSAGE_CREATE", message, kind, job_hash, message.get("nonce"))
        self.gateway.dispatch("MESSAGE_CREATE", self._for_gateway(message))
        return message

    def update(self, message: Json, kind: str, job_hash: str | None) -> None:
        message["edited_timestamp"] = iso_timestamp(time.time())
        self.store.put(message)
        self.obs.record_emit("MESSAGE_UPDATE", message, kind, job_hash, message.get("nonce"))
        self.gateway.dispatch("MESSAGE_UPDATE", self._for_gateway(message))

    def delete(self, message: Json, kind: str, job_hash: str | None) -> None:
        self.store.delete(message["id"])
        data = {"id": message["id"], "channel_id": self.config.channel_id, "guild_id": self.config.guild_id}
        self.obs.record_emit("MESSAGE_DELETE", data, kind, job_hash, None)
        self.gateway.dispatch("MESSAGE_DELETE", data)

    def interaction_events(
        self, interaction_id: str, nonce: str | None, session_id: str | None, success: bool = True
    ) -> None:
        """INTERACTION_CREATE then INTERACTION_SUCCESS (or _FAILURE), as a user session sees them."""
        data = {"id": interaction_id, "nonce": nonce}
        self.gateway.dispatch("INTERACTION_CREATE", data, session_id)
        self.obs.record_emit("INTERACTION_CREATE", data, "interaction", None, nonce)
        event = "INTERACTION_SUCCESS" if success else "INTERACTION_FAILURE"
        self.gateway.dispatch(event, dict(data), session_id)
        self.obs.record_emit(event, data, "interaction", None, nonce)

    def message(
        self,
        content: str,
        *,
        interaction: tuple[str, int] | None = None,
        nonce: str | None = None,
        epoch_s: float | None = None,
        message_id: int | None = None,
        **kwargs: Any,
    ) -> Json:
        """A new bot message object; `interaction` = (interaction id, interaction type)."""
        now = time.time() if epoch_s is None else epoch_s
        extra: Json = dict(kwargs.pop("extra", {}) or {})
        if interaction is not None:
            interaction_id, interaction_type = interaction
            name = "imagine" if interaction_type == 2 else ""
            extra.update(_messages.interaction_blocks(self.config, interaction_id, interaction_type, name))
        return _messages.bot_message(
            self.config,
            str(message_id if message_id is not None else self.ids.next()),
            iso_timestamp(now),
            content,
            nonce=nonce,
            extra=extra,
            **kwargs,
        )

    # -- attachments -------------------------------------------------------------------------------

    def sign(self, att_id: str, ex: str, issued: str) -> str:
        key = self.config.cdn_secret.encode()
        return hmac.new(key, f"{att_id}:{ex}:{issued}".encode(), hashlib.sha256).hexdigest()

    def _url(self, att_id: str, filename: str, proxy: bool = False) -> str:
        issued = int(time.time())
        expires = issued + URL_LIFETIME_S
        signature = self.sign(att_id, f"{expires:x}", f"{issued:x}")
        # cdn.discordapp.com's shape under the configured bases (media.discordapp.net for proxy_url).
        base = self.config.media_base if proxy else self.config.cdn_base
        return (
            f"{base}/attachments/{self.config.channel_id}/{att_id}/{filename}"
            f"?ex={expires:x}&is={issued:x}&hm={signature}&"
        )

    async def attachment(self, kind: str, job_hash: str, index: int, width: int, height: int, filename: str) -> Json:
        """Render once (off the event loop) to know the real byte size; keep the recipe to serve it."""
        content_type = "image/webp" if kind in ("progress", "grid_webp") else "image/png"
        data = await asyncio.to_thread(_images.render, kind, job_hash, index, width, height)
        att_id = str(self.ids.next())
        self.attachments[att_id] = AttachmentRecipe(kind, job_hash, index, width, height, filename, content_type)
        if kind in ("grid", "grid_webp"):
            width, height = 2 * width, 2 * height
        return _messages.attachment(
            att_id,
            filename,
            self._url(att_id, filename),
            self._url(att_id, filename, proxy=True),
            len(data),
            width,
            height,
            content_type,
        )
