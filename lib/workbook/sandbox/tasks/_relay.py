"""Relaying a task's events from Redis pub/sub to one WebSocket subscriber.

Subscribe first, then backfill from the history, so nothing published in between is missed;
events already sent are skipped by sequence number. If Redis drops the subscription (a restart,
a reset link), the relay subscribes again and backfills what it missed. Switch `no_resubscribe`
leaves the socket open but silent instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .._faults import FaultSwitches
from . import _keys as keys

Send = Callable[[dict[str, Any]], Awaitable[None]]
LOST = (RedisConnectionError, RedisTimeoutError, OSError)
RESUBSCRIBE_BACKOFF_S = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0)


async def history(client: aioredis.Redis, task_id: str, after: int = 0) -> list[dict[str, Any]]:
    raw = await client.lrange(keys.events(task_id), 0, -1)
    events = [json.loads(item) for item in raw]
    return sorted((event for event in events if int(event["seq"]) > after), key=lambda event: int(event["seq"]))


async def relay(
    make_client: Callable[[], aioredis.Redis],
    task_id: str,
    send: Send,
    switches: FaultSwitches,
    *,
    after: int = 0,
    deadline_s: float = 3600.0,
) -> str:
    """Send the task's events until its terminal event; returns why it stopped."""
    sent: set[int] = set()
    failures = 0

    async def forward(event: dict[str, Any]) -> bool:
        seq = int(event["seq"])
        if seq <= after or seq in sent:
            return False
        sent.add(seq)
        await send(event)
        return event.get("state") in keys.TERMINAL_STATES

    async def session() -> bool:
        client = make_client()
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(keys.channel(task_id))
            for event in await history(client, task_id, after):
                if await forward(event):
                    return True
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None or message.get("type") != "message":
                    continue
                if await forward(json.loads(message["data"])):
                    return True
        finally:
            await _close(pubsub, client)

    async def loop() -> str:
        nonlocal failures
        while True:
            try:
                if await session():
                    return "terminal"
            except LOST:
                if switches.on("no_resubscribe"):
                    await asyncio.sleep(deadline_s)  # the defect: stay connected, relay nothing more
                    return "subscription lost"
                await asyncio.sleep(RESUBSCRIBE_BACKOFF_S[min(failures, len(RESUBSCRIBE_BACKOFF_S) - 1)])
                failures += 1

    try:
        return await asyncio.wait_for(loop(), deadline_s)
    except TimeoutError:
        return "deadline"


async def _close(pubsub: Any, client: aioredis.Redis) -> None:
    for closing in (pubsub.aclose, client.aclose):
        with contextlib.suppress(Exception):
            await asyncio.wait_for(closing(), 1.0)
