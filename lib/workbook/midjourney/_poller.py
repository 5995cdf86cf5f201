"""REST polling of the channel: the fallback watcher when the gateway is unavailable or dropped.

Each poll reads `GET /channels/{id}/messages?after=<oldest job's snowflake>&limit=100` (paged,
bounded) and turns differences with the previous poll into gateway-shaped events: an unseen id is
a MESSAGE_CREATE, a changed one a MESSAGE_UPDATE, and an id that vanished from a complete listing
a MESSAGE_DELETE. Polling cannot see ephemeral messages or nonces (Discord does not store them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ._rest import DiscordRest

Event = tuple[str, dict[str, Any]]


def _fingerprint(message: dict[str, Any]) -> str:
    return json.dumps(
        [
            message.get("content"),
            message.get("edited_timestamp"),
            [a.get("id") for a in message.get("attachments") or []],
            [e.get("title") for e in message.get("embeds") or []],
            message.get("components"),
        ],
        sort_keys=True,
        default=str,
    )


class ChannelPoller:
    def __init__(self, rest: DiscordRest, channel_id: str, *, after: Callable[[], int | None], max_pages: int = 5):
        self.rest = rest
        self.channel_id = str(channel_id)
        self._after = after
        self.max_pages = max_pages
        self._seen: dict[str, str] = {}
        self.polls = 0

    async def poll(self) -> list[Event]:
        """One poll; events in message-id order (oldest first)."""
        after = self._after()
        if after is None:
            return []
        self.polls += 1
        listing: dict[str, dict[str, Any]] = {}
        cursor = after
        complete = False
        for _ in range(self.max_pages):
            page = await self.rest.channel_messages(self.channel_id, after=cursor, limit=100)
            for message in page:
                listing[str(message["id"])] = message
            if len(page) < 100:
                complete = True
                break
            cursor = max(int(m["id"]) for m in page)
        events: list[Event] = []
        for mid in sorted(listing, key=int):
            message = listing[mid]
            message.setdefault("channel_id", self.channel_id)
            # Discord does not store nonces, so REST history never has them; drop one if a server
            # sends it anyway, so the sandbox exercises exactly the correlation path live polling uses.
            message.pop("nonce", None)
            fingerprint = _fingerprint(message)
            previous = self._seen.get(mid)
            if previous is None:
                events.append(("MESSAGE_CREATE", message))
            elif previous != fingerprint:
                events.append(("MESSAGE_UPDATE", message))
            self._seen[mid] = fingerprint
        for mid in [m for m in self._seen if int(m) <= after]:
            del self._seen[mid]  # older than every active job: no longer watched
        if complete:
            for mid in [m for m in self._seen if int(m) > after and m not in listing]:
                del self._seen[mid]
                events.append(("MESSAGE_DELETE", {"id": mid, "channel_id": self.channel_id}))
        return events
