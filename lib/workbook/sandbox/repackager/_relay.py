"""`/ws/tasks/{task_id}`: the stored record first, then every update as the whole record, and
`{"type": "heartbeat", "timestamp"}` every WS_HEARTBEAT_INTERVAL (30 s, sandbox-scaled). The
server never closes after the terminal record; the client does. An unknown task is refused before
the handshake completes (close 1008: HTTP 403).

Correct by default: subscribe, then read the snapshot (nothing published in between is lost); a
Redis outage before the handshake is a clean error event and close 1011; a dropped subscription
is renewed and the current record sent again. Switches: `snapshot_race` (the platform reads the
snapshot first; gap widened to 120 s), `ws_500_when_redis_down` (the handshake dies with 500).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable

import redis.asyncio as aioredis
from fastapi import WebSocket, WebSocketDisconnect
from redis.exceptions import RedisError

from .._faults import FaultSwitches
from . import _store as store
from ._config import Settings

RACE_GAP_S = 120.0  # platform seconds: longer than a small task, so the terminal record falls in the gap
LOST = (RedisError, OSError)


async def follow(
    websocket: WebSocket,
    task_id: str,
    new_client: Callable[[], aioredis.Redis],
    settings: Settings,
    switches: FaultSwitches,
) -> None:
    client = new_client()
    try:
        try:
            raw = await client.get(store.key(task_id))
        except LOST as error:
            if switches.on("ws_500_when_redis_down"):
                raise  # before accept: the server answers the handshake with 500
            await websocket.accept()
            await websocket.send_json(
                {"type": "error", "error": f"task store unavailable: {error}", "timestamp": time.time()}
            )
            await websocket.close(code=1011, reason="task store unavailable")
            return
        if not raw:
            await websocket.close(code=1008, reason="Task not found")
            return
        await websocket.accept()
        session = asyncio.create_task(_relay(websocket, task_id, client, str(raw), settings, switches))
        beats = asyncio.create_task(_heartbeat(websocket, settings.scaled(settings.ws_heartbeat_interval_s)))
        closed = asyncio.create_task(_until_closed(websocket))
        await asyncio.wait({session, beats, closed}, return_when=asyncio.FIRST_COMPLETED)
        for task in (session, beats, closed):
            task.cancel()
        await asyncio.gather(session, beats, closed, return_exceptions=True)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.aclose(), 1.0)


async def _relay(
    websocket: WebSocket, task_id: str, client: aioredis.Redis, first: str, settings: Settings, switches: FaultSwitches
) -> None:
    race = switches.on("snapshot_race")
    if race:
        await websocket.send_json(json.loads(first))
        await asyncio.sleep(settings.scaled(RACE_GAP_S))
    backoff = 0.05
    while True:
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(store.channel(task_id))
            if not race:
                raw = await client.get(store.key(task_id))  # after subscribing: nothing falls in between
                if raw:
                    await websocket.send_json(json.loads(raw))
            race = False
            backoff = 0.05
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is not None and message.get("type") == "message":
                    await websocket.send_json(json.loads(message["data"]))
        except LOST:
            await asyncio.sleep(backoff)  # renew the subscription, then send the current record again
            backoff = min(backoff * 2, 1.0)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pubsub.aclose(), 1.0)


async def _heartbeat(websocket: WebSocket, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        await websocket.send_json({"type": "heartbeat", "timestamp": time.time()})


async def _until_closed(websocket: WebSocket) -> None:
    """Client messages (e.g. pong) are read and ignored, as the platform does, until it leaves."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()
