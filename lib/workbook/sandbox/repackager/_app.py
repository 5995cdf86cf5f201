"""The platform's HTTP API (app/main.py, app/api/v1/endpoints/tasks.py): routes, bodies and status
codes as the real one answers them, plus the sandbox's fault-switch contract.

Correct by default: Redis is called without blocking the event loop, with short timeouts, so a
stalled Redis link leaves every other route answering and /health says "unhealthy" in time. Switch
`blocking_redis` makes the calls synchronous with no useful timeout, as the real code does.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import redis
import redis.asyncio as aioredis
from fastapi import FastAPI, File, Form, HTTPException, Request, Response, UploadFile, WebSocket
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from .._faults_http import faults_router
from . import _store as store
from ._celery import make_celery
from ._config import API_V1_STR, APP_NAME, APP_VERSION, TASK_PREFIX, Settings
from ._limiter import FixedWindow
from ._relay import follow
from ._switches import MirroredSwitches

BLOCKING_TIMEOUT_S = 10.0  # the real client has none; the stand-in's stalls end so the sandbox recovers


class TaskCreate(BaseModel):
    url: str | None = None
    marketplace_plugin: dict[str, Any] | None = None
    platform: str = ""
    suffix: str = "offline"


class Redis:
    """Redis as the API uses it: awaited with timeouts, or (switch) blocking the loop."""

    def __init__(self, settings: Settings, switches: MirroredSwitches) -> None:
        self.switches = switches
        self.url = settings.redis_url
        self.aio = self.new_async()
        self.sync = redis.Redis.from_url(self.url, decode_responses=True, socket_timeout=BLOCKING_TIMEOUT_S)

    def new_async(self) -> aioredis.Redis:
        return aioredis.Redis.from_url(
            self.url, decode_responses=True, socket_timeout=1.0, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 1)
        )

    async def call(self, name: str, *args: Any) -> Any:
        if self.switches.on("blocking_redis"):
            return getattr(self.sync, name)(*args)
        result: Any = await getattr(self.aio, name)(*args)
        return result


def create_app(settings: Settings, switches: MirroredSwitches) -> FastAPI:
    app = FastAPI(title=APP_NAME, version=APP_VERSION, openapi_url=f"{API_V1_STR}/openapi.json")
    app.include_router(faults_router(switches))
    db = Redis(settings, switches)
    celery = make_celery(settings, name="dify_repackaging")
    limiter = FixedWindow(settings.rate_limit_per_minute, settings.rate_window_s)

    @app.middleware("http")
    async def request_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.time()
        response = await call_next(request)
        response.headers["X-Request-ID"] = str(uuid.uuid4())
        response.headers["X-Process-Time"] = str(time.time() - started)
        return response

    @app.get("/")
    def root() -> dict[str, Any]:
        return {"name": APP_NAME, "version": APP_VERSION, "status": "running"}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        try:
            await db.call("ping")
            return {"status": "healthy", "redis": "connected", "version": APP_VERSION}
        except (redis.RedisError, OSError) as error:
            return {"status": "unhealthy", "error": str(error) or type(error).__name__}

    async def queue(task_name: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> None:
        def send() -> None:
            celery.send_task(TASK_PREFIX + task_name, args=args, kwargs=kwargs or {}, retry=True)

        if switches.on("blocking_redis"):
            send()
        else:
            await asyncio.to_thread(send)

    async def store_new(record: dict[str, Any]) -> None:
        await db.call("setex", store.key(record["task_id"]), settings.record_ttl_s, json.dumps(record))

    def limited(request: Request) -> JSONResponse | None:
        wait = limiter.hit(request.client.host if request.client else "unknown")
        if not wait:
            return None
        return JSONResponse(
            {"error": f"Rate limit exceeded: {limiter.detail()}"},
            status_code=429,
            headers={"Retry-After": limiter.retry_after(wait)},
        )

    def created(task_id: str) -> dict[str, Any]:
        return store.task_response({"task_id": task_id, "status": store.PENDING, "created_at": store.now()})

    @app.post(f"{API_V1_STR}/tasks", response_model=None)
    async def create_task(request: Request, body: TaskCreate) -> Any:
        refused = limited(request)
        if refused is not None:
            return refused
        task_id = str(uuid.uuid4())
        if body.marketplace_plugin is not None:
            if not all(k in body.marketplace_plugin for k in ("author", "name", "version")):
                raise HTTPException(400, "marketplace_plugin must contain author, name, and version")
        elif not body.url:
            raise HTTPException(400, "Either url or marketplace_plugin must be provided")
        elif not body.url.endswith(".difypkg"):
            raise HTTPException(
                400,
                "URL must point to a .difypkg file or be a valid marketplace plugin URL "
                "(e.g., https://marketplace.dify.ai/plugins/author/name)",
            )
        try:
            if body.marketplace_plugin is not None:
                plugin = body.marketplace_plugin
                url = f"https://marketplace.dify.ai/api/v1/plugins/{plugin['author']}/{plugin['name']}/{plugin['version']}/download"
                await store_new({**store.new_record(task_id, url, body.platform, body.suffix), "plugin_info": plugin})
                await queue(
                    "process_marketplace_repackaging",
                    [
                        task_id,
                        plugin["author"],
                        plugin["name"],
                        plugin["version"],
                        body.platform,
                        body.suffix,
                        {"source": "marketplace", **plugin},
                    ],
                )
            else:
                await store_new(store.new_record(task_id, str(body.url), body.platform, body.suffix))
                await queue("process_repackaging", [task_id, body.url, body.platform, body.suffix])
        except Exception as error:
            raise HTTPException(500, f"Internal server error: {error}") from None
        return created(task_id)

    @app.post(f"{API_V1_STR}/tasks/upload", response_model=None)
    async def upload_task(
        request: Request,
        file: Annotated[UploadFile, File()],
        platform: Annotated[str, Form()] = "",
        suffix: Annotated[str, Form()] = "offline",
    ) -> Any:
        refused = limited(request)
        if refused is not None:
            return refused
        if not (file.filename or "").endswith(".difypkg"):
            raise HTTPException(400, "Only .difypkg files are allowed")
        task_id = str(uuid.uuid4())
        task_dir = settings.temp_dir / task_id
        task_dir.mkdir(parents=True, exist_ok=True)
        path = task_dir / str(file.filename)
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target)
        record = {**store.new_record(task_id, f"file://{path}", platform, suffix), "original_filename": file.filename}
        await store_new(record)
        await queue("process_repackaging", [task_id, str(path), platform, suffix], {"is_local_file": True})
        return created(task_id)

    async def record_of(task_id: str) -> dict[str, Any]:
        raw = await db.call("get", store.key(task_id))
        if not raw:
            raise HTTPException(404, "Task not found")
        return dict(json.loads(raw))

    @app.get(f"{API_V1_STR}/tasks")
    async def list_tasks(limit: int = 10) -> dict[str, Any]:
        keys = (await db.call("keys", "task:*"))[:limit]
        tasks = []
        for key in keys:
            raw = await db.call("get", key)
            if raw:
                task = json.loads(raw)
                tasks.append({k: task.get(k) for k in ("task_id", "status", "created_at", "progress", "plugin_info")})
        tasks.sort(key=lambda task: str(task["created_at"]), reverse=True)
        return {"tasks": tasks[:limit]}

    @app.get(f"{API_V1_STR}/tasks/{{task_id}}")
    async def get_task(task_id: str) -> dict[str, Any]:
        return store.task_response(await record_of(task_id))

    @app.get(f"{API_V1_STR}/tasks/{{task_id}}/download")
    async def download(task_id: str) -> FileResponse:
        record = await record_of(task_id)
        if record.get("status") != store.COMPLETED:
            raise HTTPException(400, f"Task is not completed. Current status: {record.get('status')}")
        name = record.get("output_filename")
        if not name:
            raise HTTPException(404, "Output file not found")
        path = settings.temp_dir / task_id / str(name)
        if not path.parent.exists():
            raise HTTPException(500, "Task directory not found")
        if not path.exists():
            raise HTTPException(404, "File not found on server")
        return FileResponse(path, media_type="application/octet-stream", filename=str(name))

    @app.websocket("/ws/tasks/{task_id}")
    async def websocket(websocket: WebSocket, task_id: str) -> None:
        await follow(websocket, task_id, db.new_async, settings, switches)

    return app
