"""Toxiproxy's HTTP API over the proxy collection (routes, status codes and JSON as Toxiproxy 2.x).

Plus what every sandbox stand-in answers: `GET /health` and the (empty) fault-switch contract.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from .._faults import FaultSwitches
from .._faults_http import faults_router
from ._proxy import ProxyCollection
from ._toxics import BAD_BODY, ApiError

VERSION = "2.12.0-workbook"  # the Toxiproxy API version whose shapes this follows


def create_app(collection: ProxyCollection, initial: list[dict[str, Any]]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await collection.populate(initial)
        yield
        await collection.close()

    app = FastAPI(title="sandbox fault proxy (Toxiproxy API)", lifespan=lifespan)
    app.include_router(faults_router(FaultSwitches(())))

    def answer(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                result = await handler(request, **request.path_params)
            except ApiError as error:
                return JSONResponse(error.body(), status_code=error.status)
            if isinstance(result, Response):
                return result
            return JSONResponse(result)

        return wrapped

    async def body(request: Request) -> Any:
        raw = await request.body()
        try:
            return json.loads(raw or b"null")
        except json.JSONDecodeError as error:
            raise ApiError(f"{BAD_BODY}: {error}", 400) from error

    async def proxy_index(request: Request) -> Any:
        return {name: proxy.to_json() for name, proxy in collection.proxies.items()}

    async def proxy_create(request: Request) -> Any:
        proxy = await collection.create(await body(request))
        return JSONResponse(proxy.to_json(), status_code=201)

    async def populate(request: Request) -> Any:
        proxies = await collection.populate(await body(request))
        return JSONResponse({"proxies": [proxy.to_json() for proxy in proxies]}, status_code=201)

    async def proxy_show(request: Request, proxy: str) -> Any:
        return collection.get(proxy).to_json()

    async def proxy_update(request: Request, proxy: str) -> Any:
        found = collection.get(proxy)
        changes = await body(request)
        if not isinstance(changes, dict):
            raise ApiError(f"{BAD_BODY}: expected a JSON object", 400)
        await found.update(changes)
        return found.to_json()

    async def proxy_delete(request: Request, proxy: str) -> Any:
        await collection.remove(proxy)
        return Response(status_code=204)

    async def toxic_index(request: Request, proxy: str) -> Any:
        return [toxic.to_json() for toxic in collection.get(proxy).toxics]

    async def toxic_create(request: Request, proxy: str) -> Any:
        return collection.get(proxy).add_toxic(await body(request)).to_json()

    async def toxic_show(request: Request, proxy: str, toxic: str) -> Any:
        return collection.get(proxy).find(toxic).to_json()

    async def toxic_update(request: Request, proxy: str, toxic: str) -> Any:
        return collection.get(proxy).update_toxic(toxic, await body(request)).to_json()

    async def toxic_delete(request: Request, proxy: str, toxic: str) -> Any:
        collection.get(proxy).remove_toxic(toxic)
        return Response(status_code=204)

    async def reset(request: Request) -> Any:
        await collection.reset()
        return Response(status_code=204)

    async def version(request: Request) -> Any:
        return {"version": VERSION}

    async def health(request: Request) -> Any:
        return {
            "status": "pass",
            "proxies": {
                name: {"enabled": proxy.enabled, "connections": len(proxy.links), "toxics": len(proxy.toxics)}
                for name, proxy in collection.proxies.items()
            },
        }

    routes: list[tuple[str, Callable[..., Awaitable[Any]], list[str]]] = [
        ("/reset", reset, ["POST"]),
        ("/proxies", proxy_index, ["GET"]),
        ("/proxies", proxy_create, ["POST"]),
        ("/populate", populate, ["POST"]),
        ("/proxies/{proxy}", proxy_show, ["GET"]),
        ("/proxies/{proxy}", proxy_update, ["POST", "PATCH"]),
        ("/proxies/{proxy}", proxy_delete, ["DELETE"]),
        ("/proxies/{proxy}/toxics", toxic_index, ["GET"]),
        ("/proxies/{proxy}/toxics", toxic_create, ["POST"]),
        ("/proxies/{proxy}/toxics/{toxic}", toxic_show, ["GET"]),
        ("/proxies/{proxy}/toxics/{toxic}", toxic_update, ["POST", "PATCH"]),
        ("/proxies/{proxy}/toxics/{toxic}", toxic_delete, ["DELETE"]),
        ("/version", version, ["GET"]),
        ("/health", health, ["GET"]),
    ]
    for path, handler, methods in routes:
        app.add_api_route(path, answer(handler), methods=methods, include_in_schema=False)
    return app
