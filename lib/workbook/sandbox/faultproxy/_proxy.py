"""Proxies and their toxics (Toxiproxy's model): each proxy listens on `listen`, forwards to
`upstream`, and can be disabled (`enabled: false`: listener closed, every connection dropped)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from typing import Any

from ._link import Link
from ._toxics import (
    BAD_BODY,
    PROXY_EXISTS,
    PROXY_NOT_FOUND,
    TOXIC_EXISTS,
    TOXIC_NOT_FOUND,
    ApiError,
    Toxic,
    parse_toxic,
    updated_toxic,
)


def split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ApiError(f"{BAD_BODY}: address {address!r} is not host:port", 400)
    host = host.strip("[]") or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost", "::1"):
        # Loopback only: a sandbox proxy never listens on or forwards to another host.
        raise ApiError(f"{BAD_BODY}: address {address!r} is not on loopback", 400)
    return ("127.0.0.1" if host == "localhost" else host), int(port)


class Proxy:
    def __init__(self, name: str, listen: str, upstream: str, rng: random.Random) -> None:
        self.name = name
        self.listen = listen
        self.upstream = upstream
        self.enabled = False
        self.toxics: list[Toxic] = []
        self.links: set[Link] = set()
        self._server: asyncio.Server | None = None
        self._rng = rng
        self.connections_total = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "toxics": [toxic.to_json() for toxic in self.toxics],
        }

    async def start(self) -> None:
        if self._server is not None:
            return
        host, port = split_address(self.listen)
        split_address(self.upstream)
        try:
            self._server = await asyncio.start_server(self._accept, host, port, reuse_address=True)
        except OSError as error:
            raise ApiError(f"listen {self.listen}: {error.strerror}", 500) from error
        bound_port = self._server.sockets[0].getsockname()[1]
        self.listen = f"{host}:{bound_port}"
        self.enabled = True

    async def stop(self) -> None:
        server, self._server = self._server, None
        self.enabled = False
        if server is not None:
            server.close()
        for link in list(self.links):
            link.abort()
        if server is not None:
            await server.wait_closed()

    async def update(self, body: Mapping[str, Any]) -> None:
        listen = str(body.get("listen", self.listen))
        upstream = str(body.get("upstream", self.upstream))
        enabled = body.get("enabled", self.enabled)
        if not isinstance(enabled, bool):
            raise ApiError(f"{BAD_BODY}: enabled must be true or false", 400)
        if (listen, upstream) != (self.listen, self.upstream):
            split_address(listen)
            split_address(upstream)
            await self.stop()  # changing listen or upstream restarts the proxy and drops connections
            self.listen, self.upstream = listen, upstream
        if enabled and not self.enabled:
            await self.start()
        elif not enabled and self.enabled:
            await self.stop()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections_total += 1
        link = Link(reader, writer, split_address(self.upstream), self.chain, self._rng)
        self.links.add(link)
        try:
            await link.run()
        finally:
            self.links.discard(link)

    def chain(self, stream: str) -> list[Toxic]:
        return [toxic for toxic in self.toxics if toxic.stream == stream]

    def find(self, name: str) -> Toxic:
        for toxic in self.toxics:
            if toxic.name == name:
                return toxic
        raise TOXIC_NOT_FOUND

    def add_toxic(self, body: Any) -> Toxic:
        toxic = parse_toxic(body)
        if any(existing.name == toxic.name for existing in self.toxics):
            raise TOXIC_EXISTS
        self.toxics.append(toxic)
        self._changed()
        return toxic

    def update_toxic(self, name: str, body: Any) -> Toxic:
        current = self.find(name)
        toxic = updated_toxic(current, body)
        self.toxics[self.toxics.index(current)] = toxic
        self._changed()
        return toxic

    def remove_toxic(self, name: str) -> None:
        self.toxics.remove(self.find(name))
        self._changed()

    def reset_toxics(self) -> None:
        self.toxics.clear()
        self._changed()

    def _changed(self) -> None:
        for link in list(self.links):
            link.toxics_changed()


class ProxyCollection:
    def __init__(self, seed: int | None = None) -> None:
        self.proxies: dict[str, Proxy] = {}
        self._rng = random.Random(seed)

    def get(self, name: str) -> Proxy:
        if name not in self.proxies:
            raise PROXY_NOT_FOUND
        return self.proxies[name]

    async def create(self, body: Any) -> Proxy:
        if not isinstance(body, Mapping):
            raise ApiError(f"{BAD_BODY}: expected a JSON object", 400)
        for required in ("name", "upstream"):
            if not body.get(required):
                raise ApiError(f"missing required field: {required}", 400)
        name = str(body["name"])
        if name in self.proxies:
            raise PROXY_EXISTS
        proxy = Proxy(name, str(body.get("listen") or "127.0.0.1:0"), str(body["upstream"]), self._rng)
        enabled = body.get("enabled", True)
        if enabled:
            await proxy.start()
        self.proxies[name] = proxy
        return proxy

    async def populate(self, bodies: Any) -> list[Proxy]:
        """Create or replace proxies; one whose listen and upstream are unchanged is left as it is."""
        if not isinstance(bodies, list):
            raise ApiError(f"{BAD_BODY}: expected a JSON array of proxies", 400)
        out = []
        for body in bodies:
            if not isinstance(body, Mapping):
                raise ApiError(f"{BAD_BODY}: expected a JSON object", 400)
            existing = self.proxies.get(str(body.get("name", "")))
            if existing is not None:
                if (body.get("listen"), body.get("upstream")) == (existing.listen, existing.upstream):
                    out.append(existing)
                    continue
                await self.remove(existing.name)
            out.append(await self.create(body))
        return out

    async def remove(self, name: str) -> None:
        proxy = self.get(name)
        await proxy.stop()
        del self.proxies[name]

    async def reset(self) -> None:
        """Enable every proxy and remove every toxic (`POST /reset`)."""
        for proxy in self.proxies.values():
            proxy.reset_toxics()
            if not proxy.enabled:
                await proxy.start()

    async def close(self) -> None:
        for proxy in self.proxies.values():
            await proxy.stop()
