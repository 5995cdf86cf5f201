"""The watcher: the gateway as primary source, REST polling whenever the gateway is not ready.

Polling runs only while jobs are in flight and the gateway is unavailable (never connected,
dropped and resuming, or `watch="poll"`). Both sources feed the same correlator, which is
idempotent per message id, so overlap after a resume is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from ._errors import DiscordAuthError, InvalidRequestBudgetError, MidjourneyError
from ._gateway import GatewayClient, Identify, user_identify
from ._poller import ChannelPoller
from ._rest import DiscordRest

Handler = Callable[[str, dict[str, Any], float, str], None]
# Gateway close codes that refuse the identity itself: authentication failed, invalid or disallowed
# intents (a bot whose application has not enabled the MESSAGE_CONTENT intent gets 4014).
REFUSED_IDENTITY = {4004: "authentication failed", 4013: "invalid intents", 4014: "disallowed intents"}
Fatal = Callable[[BaseException], None]


class Watcher:
    def __init__(
        self,
        rest: DiscordRest,
        *,
        channel_id: str,
        watch: str,
        gateway_url: str,
        token: str,
        poll_interval_s: float,
        connect_timeout_s: float,
        after: Callable[[], int | None],
        handle: Handler,
        fatal: Fatal,
        connector: Callable[..., Any] | None = None,
        identify: Identify = user_identify,
        connect_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.watch = watch
        self.poll_interval_s = poll_interval_s
        self.connect_timeout_s = connect_timeout_s
        self._handle = handle
        self._fatal = fatal
        self.poller = ChannelPoller(rest, channel_id, after=after)
        self.log: list[tuple[float, str]] = []
        self.gateway: GatewayClient | None = None
        if watch == "gateway":
            kwargs: dict[str, Any] = {"connector": connector} if connector is not None else {}
            self.gateway = GatewayClient(
                gateway_url,
                token,
                on_dispatch=lambda name, data, at: self._handle(name, data, at, "gateway"),
                on_state=self._note,
                open_timeout_s=connect_timeout_s,
                identify=identify,
                connect_kwargs=connect_kwargs,
                **kwargs,
            )
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.poll_errors = 0

    def _note(self, state: str) -> None:
        self.log.append((time.time(), state))

    @property
    def gateway_ready(self) -> bool:
        return self.gateway is not None and self.gateway.ready.is_set()

    @property
    def session_id(self) -> str | None:
        return self.gateway.session_id if self.gateway is not None else None

    async def start(self) -> None:
        if self.gateway is not None:
            self._tasks.append(asyncio.create_task(self.gateway.run(), name="discord-gateway"))
            try:
                await asyncio.wait_for(self.gateway.ready.wait(), self.connect_timeout_s)
            except TimeoutError:
                failed = self.gateway.failed
                if failed is not None and failed.close_code in REFUSED_IDENTITY:
                    # Discord refused who we are (a bad token, intents the bot's app may not use):
                    # polling with the same identity would read nothing usable. Stop, saying why.
                    self._note(f"gateway refused the identity ({failed}); stopping")
                    self._fatal(failed)
                    return
                self._note(f"gateway unavailable ({failed or 'no READY in time'}); polling the channel")
        else:
            self._note("polling the channel (watch=poll)")
        self._tasks.append(asyncio.create_task(self._poll_loop(), name="discord-poller"))

    async def stop(self) -> None:
        self._stopping = True
        if self.gateway is not None:
            await self.gateway.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5.0)

    def gateway_stats(self) -> dict[str, Any]:
        gw = self.gateway
        if gw is None:
            return {"used": False}
        return {
            "used": True,
            "connects": gw.connects,
            "resumes": gw.resumes,
            "drops": gw.drops,
            "dispatched": gw.dispatched,
            "failed": str(gw.failed) if gw.failed else None,
        }

    async def _poll_loop(self) -> None:
        polling = False
        while not self._stopping:
            if not self.gateway_ready:
                if not polling and self.gateway is not None:
                    self._note("gateway not ready: polling")
                polling = True
                try:
                    for name, data in await self.poller.poll():
                        self._handle(name, data, time.time(), "poll")
                except (DiscordAuthError, InvalidRequestBudgetError) as error:
                    self._fatal(error)
                    return
                except MidjourneyError as error:
                    # Transient (retries exhausted on one poll): keep going, job deadlines bound the wait.
                    self.poll_errors += 1
                    self._note(f"poll failed: {error}")
            elif polling:
                polling = False
                self._note("gateway ready again: polling stopped")
            await asyncio.sleep(self.poll_interval_s)
