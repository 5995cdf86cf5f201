"""A tiny local HTTP target for the probe tests (run as a subprocess, 127.0.0.1, free port).

    GET  /ok                 200 at once
    GET  /delay?ms=N         200 after N ms (injected latency)
    GET  /status/N           status N
    GET  /redirect           302 to /ok (a probe must not follow it)
    GET  /chunked            200 with a chunked body of 3 parts (10 bytes)
    GET  /close              200 and `Connection: close` (the client must reconnect)
    POST /echo               200 with the request body's length as text; 400 without a body
    POST /admin/stall?start_in=S&for=D   requests arriving in [now+S, now+S+D] wait until its end
    GET  /admin/hits         {"path": count} of every request served

A second listener answers every request with a keep-alive-looking 200 and then closes the
socket without `Connection: close` (as websockets' HTTP answers do); clients must cope.

Prints `PORT <n> SILENT <m>` on stdout once both are listening.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter

from aiohttp import web

hits: Counter[str] = Counter()
stall = {"start": 0.0, "end": 0.0}


async def _stall_gate() -> None:
    now = time.monotonic()
    if stall["start"] <= now < stall["end"]:
        await asyncio.sleep(stall["end"] - now)


async def ok(request: web.Request) -> web.Response:
    hits[request.path] += 1
    await _stall_gate()
    return web.json_response({"status": "ok"})


async def delay(request: web.Request) -> web.Response:
    hits[request.path] += 1
    await _stall_gate()
    await asyncio.sleep(float(request.query.get("ms", "0")) / 1000)
    return web.json_response({"status": "ok"})


async def status(request: web.Request) -> web.Response:
    hits[request.path] += 1
    return web.json_response({"status": "forced"}, status=int(request.match_info["code"]))


async def chunked(request: web.Request) -> web.StreamResponse:
    hits[request.path] += 1
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    for part in (b"abc", b"defg", b"hij"):
        await response.write(part)
    await response.write_eof()
    return response


async def redirect(request: web.Request) -> web.Response:
    hits[request.path] += 1
    raise web.HTTPFound("/ok")


async def close(request: web.Request) -> web.Response:
    hits[request.path] += 1
    response = web.json_response({"status": "ok"})
    response.force_close()
    return response


async def echo(request: web.Request) -> web.Response:
    hits[request.path] += 1
    body = await request.read()
    return web.Response(text=str(len(body)), status=200 if body else 400)


async def set_stall(request: web.Request) -> web.Response:
    now = time.monotonic()
    stall["start"] = now + float(request.query.get("start_in", "0"))
    stall["end"] = stall["start"] + float(request.query["for"])
    return web.json_response(stall)


async def get_hits(request: web.Request) -> web.Response:
    return web.json_response(dict(hits))


class SilentClose(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if b"\r\n\r\n" in data:
            hits["silent-close"] += 1
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            self.transport.close()


async def main() -> None:
    app = web.Application()
    app.add_routes(
        [
            web.get("/ok", ok),
            web.get("/delay", delay),
            web.get("/status/{code}", status),
            web.get("/chunked", chunked),
            web.get("/close", close),
            web.get("/redirect", redirect),
            web.post("/echo", echo),
            web.post("/admin/stall", set_stall),
            web.get("/admin/hits", get_hits),
        ]
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    silent = await asyncio.get_running_loop().create_server(SilentClose, "127.0.0.1", 0)
    silent_port = silent.sockets[0].getsockname()[1]
    print(f"PORT {port} SILENT {silent_port}", flush=True)
    # Exit when the test process closes our stdin (no orphan if pytest dies).
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    silent.close()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
