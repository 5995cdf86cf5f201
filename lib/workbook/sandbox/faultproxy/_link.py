"""One proxied connection: two pumps (client->upstream is `upstream`, upstream->client is
`downstream`) that apply the proxy's current toxics to every chunk, so a toxic added or removed
while a connection is open applies to it at once (as in Toxiproxy).

Per chunk, in chain order: `timeout` drops data (and closes after `timeout` ms, 0 = never);
`latency` delays it to arrival + latency ± jitter; `slicer` cuts it into pieces with a delay
between them; `bandwidth` paces it at `rate` KB/s; `limit_data` closes the connection once
`bytes` have passed in that direction. `reset_peer` sends a TCP RST after `timeout` ms;
`slow_close` delays the close by `delay` ms. Whether a toxic applies to a connection is drawn
once per connection against its `toxicity`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

from ._toxics import Toxic

CHUNK = 32 * 1024
Chain = Callable[[str], list[Toxic]]


class Link:
    def __init__(
        self,
        client_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
        upstream: tuple[str, int],
        chain: Chain,
        rng: random.Random,
    ) -> None:
        self.client_reader = client_reader
        self.client_writer = client_writer
        self.upstream = upstream
        self.chain = chain
        self.rng = rng
        self.sent = {"upstream": 0, "downstream": 0}
        self.upstream_writer: asyncio.StreamWriter | None = None
        self._drawn: dict[str, bool] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._closed = asyncio.Event()
        self._closing = False

    def applies(self, toxic: Toxic) -> bool:
        key = f"{toxic.stream}:{toxic.name}"
        if key not in self._drawn:
            self._drawn[key] = self.rng.random() < toxic.toxicity
        return self._drawn[key]

    def active(self, stream: str) -> list[Toxic]:
        return [toxic for toxic in self.chain(stream) if self.applies(toxic)]

    async def run(self) -> None:
        try:
            up_reader, self.upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            self.abort()
            return
        self.toxics_changed()
        pumps = [
            asyncio.create_task(self._pump(self.client_reader, self.upstream_writer, "upstream")),
            asyncio.create_task(self._pump(up_reader, self.client_writer, "downstream")),
        ]
        closed = asyncio.create_task(self._closed.wait())
        try:
            await asyncio.wait([*pumps, closed], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in [*pumps, closed]:
                task.cancel()
            await asyncio.gather(*pumps, closed, return_exceptions=True)
            await self._close_quietly()

    def toxics_changed(self) -> None:
        """Arm the timers of `timeout` and `reset_peer` toxics now active; cancel those removed."""
        armed: set[str] = set()
        for stream in ("upstream", "downstream"):
            for toxic in self.active(stream):
                key = f"{stream}:{toxic.name}"
                if toxic.type == "reset_peer" or (toxic.type == "timeout" and toxic.attr("timeout") > 0):
                    armed.add(key)
                    if key not in self._timers:
                        delay_s = toxic.attr("timeout") / 1000.0
                        action = self.reset if toxic.type == "reset_peer" else self.close
                        self._timers[key] = asyncio.get_running_loop().call_later(delay_s, action)
        for key in list(self._timers):
            if key not in armed:
                self._timers.pop(key).cancel()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stream: str) -> None:
        while True:
            data = await reader.read(CHUNK)
            arrived = time.monotonic()
            if not data:
                return
            await self._deliver(data, arrived, writer, stream)

    async def _deliver(self, data: bytes, arrived: float, writer: asyncio.StreamWriter, stream: str) -> None:
        pieces = [data]
        gap_s = 0.0
        rate_kb = 0
        for toxic in self.active(stream):
            if toxic.type == "timeout":
                return  # data is swallowed while the toxic is there
            if toxic.type == "latency":
                jitter = toxic.attr("jitter")
                delay_ms = toxic.attr("latency") + (self.rng.uniform(-jitter, jitter) if jitter else 0.0)
                wait_s = arrived + max(0.0, delay_ms) / 1000.0 - time.monotonic()
                if wait_s > 0:
                    await asyncio.sleep(wait_s)
            elif toxic.type == "slicer":
                pieces = [piece for chunk in pieces for piece in self._slices(chunk, toxic)]
                gap_s = toxic.attr("delay") / 1_000_000.0
            elif toxic.type == "bandwidth":
                rate_kb = toxic.attr("rate")
        limit = next((toxic.attr("bytes") for toxic in self.active(stream) if toxic.type == "limit_data"), None)
        owed_s = 0.0  # slicer gaps are slept in batches: asyncio cannot sleep for a few microseconds
        for index, piece in enumerate(pieces):
            if limit is not None:
                room = max(0, limit - self.sent[stream])
                if len(piece) >= room:
                    await self._write(writer, piece[:room], stream)
                    self.close()
                    return
            if rate_kb > 0:
                await self._write_paced(writer, piece, stream, rate_kb)
            else:
                await self._write(writer, piece, stream)
            if gap_s and index < len(pieces) - 1:
                owed_s += gap_s
                if owed_s >= 0.002:
                    await asyncio.sleep(owed_s)
                    owed_s = 0.0

    def _slices(self, chunk: bytes, toxic: Toxic) -> list[bytes]:
        average = max(1, toxic.attr("average_size"))
        variation = min(toxic.attr("size_variation"), average - 1)
        out = []
        while chunk:
            size = max(1, average + (self.rng.randint(-variation, variation) if variation else 0))
            out.append(chunk[:size])
            chunk = chunk[size:]
        return out

    async def _write_paced(self, writer: asyncio.StreamWriter, piece: bytes, stream: str, rate_kb: int) -> None:
        per_slice = max(1, rate_kb * 100)  # bytes per 100 ms, as Toxiproxy's bandwidth toxic paces
        for start in range(0, len(piece), per_slice):
            part = piece[start : start + per_slice]
            await self._write(writer, part, stream)
            await asyncio.sleep(len(part) / (rate_kb * 1000.0))

    async def _write(self, writer: asyncio.StreamWriter, data: bytes, stream: str) -> None:
        if not data:
            return
        writer.write(data)
        self.sent[stream] += len(data)
        await writer.drain()

    def close(self) -> None:
        self._closed.set()

    def reset(self) -> None:
        """TCP RST to the client (SO_LINGER 0, then abort), and drop the upstream side."""
        sock: Any = self.client_writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.abort()

    def abort(self) -> None:
        self._closing = True
        self.client_writer.transport.abort()
        if self.upstream_writer is not None:
            self.upstream_writer.transport.abort()
        self._closed.set()

    async def _close_quietly(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if not self._closing:
            slow = [
                toxic.attr("delay")
                for s in ("upstream", "downstream")
                for toxic in self.active(s)
                if toxic.type == "slow_close"
            ]
            if slow:
                await asyncio.sleep(max(slow) / 1000.0)
        for writer in (self.client_writer, self.upstream_writer):
            if writer is None:
                continue
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
