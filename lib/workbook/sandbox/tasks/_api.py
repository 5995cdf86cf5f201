"""The task API: submit a job, read its state, events and result, follow it over WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any

import redis.asyncio as aioredis
from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field, ValidationError
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .._faults_http import faults_router
from . import _keys as keys
from ._celeryapp import make_celery
from ._config import TasksConfig
from ._health import liveness, readiness
from ._jobs import load_jobs
from ._relay import history, relay
from ._switches import MirroredSwitches

CONSUMERS_CACHE_S = 1.0


class SubmitRequest(BaseModel):
    type: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    correlation_id: str = ""


def create_app(config: TasksConfig, switches: MirroredSwitches) -> FastAPI:
    app = FastAPI(title="sandbox task API")
    jobs_registry = load_jobs()
    app.include_router(faults_router(switches))
    celery = make_celery(config, name="pipeline-api")
    started = time.monotonic()
    cache: dict[str, Any] = {"at": 0.0, "names": []}

    def new_client(*, retries: int) -> aioredis.Redis:
        retry = Retry(ExponentialBackoff(cap=0.5, base=0.05), retries) if retries else Retry(NoBackoff(), 0)
        return aioredis.Redis.from_url(
            config.redis_url,
            password=config.password,
            socket_timeout=2.0,
            socket_connect_timeout=1.0,
            retry=retry,
            retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],
        )

    client = new_client(retries=3)

    def inspect_consumers() -> list[str]:
        replies = (
            celery.control.inspect(
                destination=list(config.workers), timeout=1.0, limit=len(config.workers)
            ).active_queues()
            or {}
        )
        return sorted(name for name, queues in replies.items() if any(q.get("name") == config.queue for q in queues))

    async def consumers() -> list[str]:
        if time.monotonic() - cache["at"] > CONSUMERS_CACHE_S:
            cache["names"] = await asyncio.to_thread(inspect_consumers)
            cache["at"] = time.monotonic()
        return list(cache["names"])

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "pass", "workers": list(config.workers)}

    @app.get("/health/live")
    async def live() -> JSONResponse:
        return liveness(started)

    @app.get("/health/ready")
    async def ready() -> JSONResponse:
        return await readiness(
            client.ping, consumers, len(config.workers), always_pass=switches.on("ready_always_pass")
        )

    @app.get("/jobs")
    async def jobs() -> dict[str, Any]:
        return {
            "jobs": [
                {
                    "type": job.name,
                    "task": job.task_name,
                    "description": job.description,
                    "params": job.params.model_json_schema(),
                }
                for job in jobs_registry.values()
            ]
        }

    @app.post("/tasks", status_code=202)
    async def submit(request: SubmitRequest) -> dict[str, Any]:
        job = jobs_registry.get(request.type)
        if job is None:
            raise HTTPException(400, f"unknown job type {request.type!r}; known: {sorted(jobs_registry)}")
        try:
            params = job.params.model_validate(request.params).model_dump()
        except ValidationError as error:
            raise HTTPException(422, json.loads(error.json(include_url=False))) from None
        task_id = str(uuid.uuid4())
        correlation_id = request.correlation_id or task_id
        await client.hset(
            keys.meta(task_id),
            mapping={
                "type": job.name,
                "submitted_at": repr(time.time()),
                "correlation_id": correlation_id,
                "params": json.dumps(params),
            },
        )
        await client.expire(keys.meta(task_id), keys.EVENT_TTL_S)
        await asyncio.to_thread(
            celery.send_task,
            job.task_name,
            kwargs={"params": params},
            task_id=task_id,
            queue=config.queue,
            # Not "correlation_id": Celery sets that message property to the task id itself.
            headers={"x_request_id": correlation_id},
            retry=True,
            retry_policy={"max_retries": 3, "interval_start": 0.1, "interval_step": 0.5, "interval_max": 1.0},
        )
        return {
            "task_id": task_id,
            "state": "PENDING",
            "type": job.name,
            "correlation_id": correlation_id,
            "links": {
                "self": f"/tasks/{task_id}",
                "events": f"/tasks/{task_id}/events",
                "ws": f"/ws/tasks/{task_id}",
                "result": f"/tasks/{task_id}/result",
            },
        }

    async def task_state(task_id: str) -> dict[str, Any]:
        meta = await client.hgetall(keys.meta(task_id))
        if not meta:
            raise HTTPException(404, f"no task {task_id!r} was submitted here")
        meta = {_text(key): _text(value) for key, value in meta.items()}
        raw = await client.get(keys.celery_meta(task_id))
        backend = json.loads(raw) if raw else {}
        last_raw = await client.lindex(keys.events(task_id), -1)
        last = json.loads(last_raw) if last_raw else {}
        state = backend.get("status") or last.get("state") or "PENDING"
        if state == "STARTED" and last.get("state") == "PROGRESS":
            state = "PROGRESS"
        submitted = float(meta["submitted_at"])
        body: dict[str, Any] = {
            "task_id": task_id,
            "type": meta["type"],
            "state": state,
            "progress": last.get("progress", 0),
            "submitted_at": submitted,
            "correlation_id": meta["correlation_id"],
            "attempts": int(await client.get(keys.attempts(task_id)) or 0),
            "stuck": False,
        }
        if state == "SUCCESS":
            body["result"] = backend.get("result")
        if state == "FAILURE":
            failure = backend.get("result") or {}
            message = failure.get("exc_message")
            text = " ".join(str(part) for part in message) if isinstance(message, list) else str(message)
            body["error"] = f"{failure.get('exc_type', 'Error')}: {text}"
        if state == "PENDING" and time.time() - submitted > config.stuck_after_s:
            consuming = await consumers()
            if not consuming:
                body["stuck"] = True
                body["stuck_reason"] = f"no worker consumes queue {config.queue!r}; the task cannot start"
        return body

    @app.get("/tasks/{task_id}")
    async def get_task(task_id: str) -> dict[str, Any]:
        return await task_state(task_id)

    @app.get("/tasks/{task_id}/events")
    async def get_events(task_id: str, after: int = 0) -> dict[str, Any]:
        await task_state(task_id)
        return {"task_id": task_id, "events": await history(client, task_id, after)}

    @app.get("/tasks/{task_id}/result")
    async def get_result(task_id: str) -> FileResponse:
        state = await task_state(task_id)
        if state["state"] != "SUCCESS" or not state.get("result"):
            raise HTTPException(409, f"task {task_id} has no result (state {state['state']})")
        path = config.files_dir / task_id / str(state["result"]["name"])
        if not path.is_file():
            raise HTTPException(410, f"result file of {task_id} is gone")
        return FileResponse(path, media_type="application/octet-stream", filename=path.name)

    @app.websocket("/ws/tasks/{task_id}")
    async def follow(websocket: WebSocket, task_id: str, after: int = 0) -> None:
        await websocket.accept()
        try:
            await task_state(task_id)
        except HTTPException as error:
            await websocket.close(code=4404, reason=str(error.detail)[:120])
            return

        async def send(event: dict[str, Any]) -> None:
            await websocket.send_text(json.dumps(event))

        relaying = asyncio.create_task(relay(lambda: new_client(retries=0), task_id, send, switches, after=after))
        closed = asyncio.create_task(_wait_closed(websocket))
        done, _ = await asyncio.wait({relaying, closed}, return_when=asyncio.FIRST_COMPLETED)
        for task in (relaying, closed):
            task.cancel()
        await asyncio.gather(relaying, closed, return_exceptions=True)
        if relaying in done and not relaying.cancelled() and relaying.exception() is None:
            with contextlib.suppress(RuntimeError):
                await websocket.close(code=1000)

    return app


async def _wait_closed(websocket: WebSocket) -> None:
    try:
        while True:
            await websocket.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        return


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
