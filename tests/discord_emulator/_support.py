"""Minimal Discord protocol helpers for the emulator tests (REST payloads, a tiny gateway client).

Test scaffolding only: the workbook's real client lives in `workbook.midjourney` (part B)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

Json = dict[str, Any]
TIME_SCALE = 1000.0
IMAGINE_ID = "938956540159881230"
MJ_APP = "936929561302675456"


@dataclass
class Emu:
    outputs: dict[str, str]
    token: str
    log: Path
    bot_token: str = ""
    extra_bots: dict[str, str] = field(default_factory=dict)  # name -> raw token

    @property
    def api(self) -> str:
        return self.outputs["api_url"]

    @property
    def admin(self) -> str:
        return self.outputs["admin_url"]

    def client(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.api, headers={"Authorization": token or self.token}, timeout=10)

    def bot_client(self, token: str | None = None) -> httpx.Client:
        """A REST client authenticated as a bot (`Authorization: Bot <token>`)."""
        return self.client(f"Bot {token or self.bot_token}")

    def aclient(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.api, headers={"Authorization": self.token}, timeout=10)

    def admin_call(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, self.admin + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def version(self) -> str:
        with self.client() as http:
            index = http.get(f"/guilds/{self.outputs['guild_id']}/application-command-index").json()
        return str(next(c["version"] for c in index["application_commands"] if c["name"] == "imagine"))

    def imagine_body(
        self, prompt: str, nonce: str | None = None, version: str | None = None, session_id: str = "0" * 32
    ) -> Json:
        return {
            "type": 2,
            "application_id": MJ_APP,
            "guild_id": self.outputs["guild_id"],
            "channel_id": self.outputs["channel_id"],
            "session_id": session_id,
            "nonce": nonce or str(secrets.randbits(60)),
            "data": {
                "version": version or self.version(),
                "id": IMAGINE_ID,
                "name": "imagine",
                "type": 1,
                "options": [{"type": 3, "name": "prompt", "value": prompt}],
                "attachments": [],
            },
        }

    def button_body(self, message: Json, custom_id: str, session_id: str = "0" * 32) -> Json:
        return {
            "type": 3,
            "application_id": MJ_APP,
            "guild_id": self.outputs["guild_id"],
            "channel_id": self.outputs["channel_id"],
            "message_id": message["id"],
            "message_flags": message.get("flags", 0),
            "session_id": session_id,
            "nonce": str(secrets.randbits(60)),
            "data": {"component_type": 2, "custom_id": custom_id},
        }

    def history(self, **params: Any) -> list[Json]:
        with self.client() as http:
            response = http.get(f"/channels/{self.outputs['channel_id']}/messages", params=params)
            response.raise_for_status()
            return list(response.json())


def is_grid(data: Json) -> bool:
    """A final grid (whatever the era's message type): an image and the U buttons."""
    ids = [b.get("custom_id", "") for row in data.get("components", []) for b in row.get("components", [])]
    return bool(data.get("attachments")) and any(i.startswith("MJ::JOB::upsample::") for i in ids)


def with_nonce(event: str, nonce: str) -> Callable[[Json], bool]:
    """Predicate: a dispatch of type `event` whose payload carries `nonce`."""
    return lambda frame: frame.get("t") == event and (frame.get("d") or {}).get("nonce") == nonce


def post_interaction(
    http: httpx.Client, body: Json | None = None, *, content: bytes | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST /interactions (a JSON `body`, or raw `content`), waiting out 429s (bounded) the way any
    Discord client must: at the tests' time scale a bucket window is a few milliseconds, so a fast
    machine can fill one with a handful of requests."""
    for _ in range(50):
        response = http.post("/interactions", json=body, content=content, headers=headers)
        if response.status_code != 429:
            return response
        time.sleep(float(response.json()["retry_after"]))
    raise AssertionError("still rate limited after 50 attempts")


async def apost_interaction(http: httpx.AsyncClient, body: Json) -> httpx.Response:
    for _ in range(50):
        response = await http.post("/interactions", json=body)
        if response.status_code != 429:
            return response
        await asyncio.sleep(float(response.json()["retry_after"]))
    raise AssertionError("still rate limited after 50 attempts")


class Gateway:
    """A minimal user-style gateway client: hello, identify/resume, heartbeats, event log."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.frames: list[Json] = []
        self.ws: Any = None
        self.session_id: str | None = None
        self.resume_url: str | None = None
        self.seq: int | None = None
        self.close_code: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._inflator: Any = None

    async def open(
        self, *, identify: bool = True, compress: bool = False, url: str | None = None, intents: int | None = None
    ) -> Json:
        query = "/?v=10&encoding=json" + ("&compress=zlib-stream" if compress else "")
        self._inflator = zlib.decompressobj() if compress else None
        self.ws = await websockets.connect((url or self.url) + query, open_timeout=5)
        self.close_code = None
        self._tasks = [asyncio.create_task(self._read())]
        hello = await self.wait(lambda f: f.get("op") == 10)
        self._tasks.append(asyncio.create_task(self._beat(hello["d"]["heartbeat_interval"] / 1000)))
        if identify:
            # A user identifies with `capabilities`; a bot with `intents` (given here).
            style: Json = {"capabilities": 16381} if intents is None else {"intents": intents}
            await self.send(
                {
                    "op": 2,
                    "d": {
                        "token": self.token,
                        **style,
                        "properties": {"os": "Linux", "browser": "Chrome", "device": ""},
                        "compress": False,
                    },
                }
            )
            ready = await self.wait(lambda f: f.get("t") == "READY")
            self.session_id = ready["d"]["session_id"]
            self.resume_url = ready["d"]["resume_gateway_url"]
        return hello

    async def send(self, payload: Json) -> None:
        await self.ws.send(json.dumps(payload))

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                if self._inflator is not None:
                    raw = self._inflator.decompress(raw).decode()
                frame = json.loads(raw)
                if frame.get("s") is not None:
                    self.seq = frame["s"]
                frame["_received_at"] = time.time()
                self.frames.append(frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code if self.ws.close_code is not None else 1006

    async def _beat(self, interval_s: float) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            for _ in range(10_000):
                await asyncio.sleep(interval_s * 0.5)
                await self.send({"op": 1, "d": self.seq})

    def dispatches(self, event: str | None = None) -> list[Json]:
        return [f for f in self.frames if f.get("op") == 0 and (event is None or f.get("t") == event)]

    async def wait(self, predicate: Callable[[Json], bool], timeout: float = 10.0) -> Json:
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for frame in self.frames[seen:]:
                if predicate(frame):
                    return frame
            seen = len(self.frames)
            if self.close_code is not None and not any(predicate(f) for f in self.frames):
                raise AssertionError(f"gateway closed ({self.close_code}) before the awaited frame")
            await asyncio.sleep(0.005)
        raise AssertionError(f"timed out waiting; last frames: {[f.get('t') or f.get('op') for f in self.frames[-8:]]}")

    async def wait_closed(self, timeout: float = 5.0) -> int:
        deadline = time.monotonic() + timeout
        while self.close_code is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        assert self.close_code is not None, "gateway did not close"
        return self.close_code

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.ws is not None:
            await self.ws.close()


@contextlib.asynccontextmanager
async def gateway(emu: Emu, token: str | None = None, **kwargs: Any) -> AsyncIterator[Gateway]:
    client = Gateway(emu.outputs["gateway_url"], token or emu.token)
    try:
        await client.open(**kwargs)
        yield client
    finally:
        await client.close()


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 30))
