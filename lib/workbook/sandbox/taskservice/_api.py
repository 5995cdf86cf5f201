"""The task service's HTTP API, as jomapps/celery-redis serves it (app/main.py, app/api/*.py,
app/middleware/auth.py), plus the sandbox's admin routes under `/_sandbox/`.

Where the real routes at 56b07f35 are broken, this API answers as they were designed and a fault
switch restores the real behaviour (`status_404`, `cancel_unknown_ok`, `cancel_errors_as_500`).
The submission is stored before it is queued (the real one stores after `.delay()`, so a task
that finishes first is overwritten back to "processing"): kinder than the real service.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from .._faults_http import faults_router
from .._mirror import write_json
from ._brainclient import UpstreamBrain
from ._celeryapp import ROUTED, make_celery
from ._config import ServiceConfig
from ._models import (
    PROJECT_ID,
    PROJECT_ID_MAX,
    ProjectTasksResponse,
    ProjectTasksSummary,
    TaskStatusResponse,
    TaskSubmissionRequest,
    TaskSubmissionResponse,
)
from ._storage import TaskStorage
from ._switches import OPTIONS, UPSTREAM, MirroredSwitches
from ._tasks_view import cancel_answer, kwargs_for, status_body

APP_NAME = "AI Movie Platform - Task Service API"
ESTIMATED_DURATION_S = 300


def stamp() -> str:
    return datetime.utcnow().isoformat() + "Z"


def create_app(config: ServiceConfig, switches: MirroredSwitches) -> FastAPI:
    app = FastAPI(title=APP_NAME, version="1.0.0", docs_url=None, redoc_url=None)
    celery = make_celery(config)
    storage = TaskStorage(config)
    options: dict[str, Any] = {}
    write_json(config.options_file, options)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        # app/main.py:43-61: `error` and `message` both carry the detail
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": exc.detail, "message": exc.detail, "timestamp": stamp()},
            headers=exc.headers,
        )

    @app.exception_handler(Exception)
    async def any_error(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            status_code=500,
            content={"error": "Internal server error", "message": "An unexpected error occurred", "timestamp": stamp()},
        )

    @app.get("/api/v1/health")
    async def health() -> dict[str, Any]:
        # Static: no Redis, worker or brain check (app/main.py:85-97).
        return {"status": "healthy", "app": APP_NAME, "timestamp": stamp()}

    @app.get("/health")
    async def root_health() -> dict[str, Any]:
        return await health()

    async def verify_api_key(x_api_key: str | None = Header(None)) -> str:
        if not x_api_key:
            raise HTTPException(status_code=401, detail="API key required in X-API-Key header")
        if x_api_key not in config.api_keys:
            raise HTTPException(status_code=401, detail="Invalid API key")
        return x_api_key

    api = APIRouter(prefix="/api/v1", dependencies=[Depends(verify_api_key)])

    @api.post("/tasks/submit", response_model=TaskSubmissionResponse, status_code=201)
    async def submit(task_request: TaskSubmissionRequest) -> TaskSubmissionResponse:
        task_type = task_request.task_type.value
        if task_type not in ROUTED:
            raise HTTPException(status_code=400, detail=f"Unsupported task type: {task_request.task_type}")
        task_id = str(uuid.uuid4())
        created = datetime.utcnow()
        storage.save_task(
            {
                "task_id": task_id,
                "project_id": task_request.project_id,
                "task_type": task_type,
                "status": "processing",
                "priority": int(task_request.priority),
                "task_data": task_request.task_data,
                "callback_url": task_request.callback_url,
                "metadata": task_request.metadata,
                "created_at": created.isoformat(),
                "estimated_duration": ESTIMATED_DURATION_S,
                "queue_position": 1,
            }
        )
        storage.increment_metric("total_tasks")
        name, queue = ROUTED[task_type]
        kwargs = kwargs_for(task_type, task_request)
        await asyncio.to_thread(celery.send_task, name, kwargs=kwargs, task_id=task_id, queue=queue)
        return TaskSubmissionResponse(
            task_id=uuid.UUID(task_id),
            status="processing",  # type: ignore[arg-type]
            project_id=task_request.project_id,
            estimated_duration=ESTIMATED_DURATION_S,
            queue_position=1,
            created_at=created,
        )

    @api.get("/tasks/metrics")
    async def metrics() -> dict[str, Any]:
        counts = storage.metrics()
        total, done, failed = (counts.get(k, 0) for k in ("total_tasks", "completed_tasks", "failed_tasks"))
        body: dict[str, Any] = {
            "total_tasks": total,
            "completed_tasks": done,
            "failed_tasks": failed,
            "retried_tasks": counts.get("retried_tasks", 0),
            "cancelled_tasks": counts.get("cancelled_tasks", 0),
            "success_rate": done / total * 100 if total else 0,
            "failure_rate": failed / total * 100 if total else 0,
            "average_durations": {},
            "currently_running": counts.get("currently_running", 0),
        }
        return {"metrics": body, "timestamp": stamp()}

    @api.get("/tasks/{task_id}/status", response_model=TaskStatusResponse)
    async def status(task_id: str) -> TaskStatusResponse:
        validate_task_id(task_id)
        if switches.brain_client == UPSTREAM:  # the real route asks the brain first, failures swallowed
            await asyncio.to_thread(_ask_brain_context, options.get("brain_url") or config.brain_url, task_id, config)
        stored = storage.get_task(task_id)
        if switches.on("status_404") or stored is None:
            raise HTTPException(status_code=404, detail="Task not found or status unavailable")
        state = await asyncio.to_thread(lambda: celery.AsyncResult(task_id).state)
        return TaskStatusResponse(**status_body(task_id, stored, state))

    @api.delete("/tasks/{task_id}/cancel")
    async def cancel_stub(task_id: str) -> dict[str, Any]:
        validate_task_id(task_id)
        raise HTTPException(status_code=404, detail="Task not found")  # a TODO in the real service

    @api.post("/tasks/{task_id}/retry", status_code=201)
    async def retry_stub(task_id: str) -> dict[str, Any]:
        validate_task_id(task_id)
        raise HTTPException(status_code=404, detail="Task not found")  # a TODO in the real service

    @api.delete("/tasks/{task_id}")
    async def cancel(task_id: str) -> dict[str, Any]:
        validate_task_id(task_id)
        stored = storage.get_task(task_id)
        if stored is None and not switches.on("cancel_unknown_ok"):
            raise HTTPException(status_code=404, detail="Task not found")
        state = await asyncio.to_thread(lambda: celery.AsyncResult(task_id).state)
        status_code, body, revoke = cancel_answer(task_id, state, as_500=switches.on("cancel_errors_as_500"))
        if revoke is not None:
            await asyncio.to_thread(celery.control.revoke, task_id, terminate=revoke, signal="SIGTERM")
            if stored is not None:
                storage.update_task_status(task_id, "cancelled")
        if status_code != 200:
            raise HTTPException(status_code=status_code, detail=body["detail"])
        return {**body, "cancelled_at": stamp()}

    @api.get("/projects/{project_id}/tasks", response_model=ProjectTasksResponse)
    async def project_tasks(
        project_id: str,
        status: str | None = Query(None),
        task_type: str | None = Query(None),
        page: int = Query(1, ge=1),
        limit: int = Query(20, ge=1, le=100),
    ) -> ProjectTasksResponse:
        validate_project_id(project_id)
        scope = None if switches.on("project_list_leak") else project_id
        tasks = storage.project_tasks(scope, status, task_type)
        offset = (page - 1) * limit
        total = len(tasks)
        return ProjectTasksResponse(
            tasks=[ProjectTasksSummary(**task) for task in tasks[offset : offset + limit]],
            pagination={"page": page, "limit": limit, "total": total, "total_pages": -(-total // limit)},
        )

    @api.get("/workers/status")
    async def workers_status() -> dict[str, Any]:
        return {"workers": [], "total_workers": 0, "active_workers": 0, "gpu_utilization": 0.0}  # a mock, as real

    app.include_router(api)
    app.include_router(faults_router(switches))

    @app.get("/_sandbox/options")
    async def get_options() -> dict[str, Any]:
        return {"options": dict(options), "known": list(OPTIONS)}

    @app.put("/_sandbox/options")
    async def put_options(changes: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008 - FastAPI idiom
        unknown = sorted(set(changes) - set(OPTIONS))
        if unknown:
            raise HTTPException(status_code=400, detail=f"unknown option(s) {unknown}; known: {list(OPTIONS)}")
        for name, value in changes.items():
            if value is None:
                options.pop(name, None)
            else:
                options[name] = str(value)
        write_json(config.options_file, options)
        return {"options": dict(options), "known": list(OPTIONS)}

    @app.delete("/_sandbox/options")
    async def delete_options() -> dict[str, Any]:
        options.clear()
        write_json(config.options_file, options)
        return {"options": {}, "known": list(OPTIONS)}

    @app.get("/_sandbox/workers")
    async def workers() -> dict[str, Any]:
        replies = await asyncio.to_thread(lambda: celery.control.ping(timeout=1.0) or [])
        return {"workers": sorted(name for reply in replies for name in reply)}

    return app


def _ask_brain_context(brain_url: str, task_id: str, config: ServiceConfig) -> None:
    """BrainServiceClient(...).get_task_context: 3 connection attempts, 2 s and 4 s apart (scaled)."""
    try:
        UpstreamBrain(brain_url, sleep=time.sleep, time_scale=config.time_scale).get_task_context(task_id)
    except Exception:  # "Could not retrieve brain service context": logged and swallowed
        return


def validate_task_id(task_id: str) -> None:
    try:
        uuid.UUID(task_id)
    except ValueError:
        raise HTTPException(status_code=400, detail="Invalid task ID format. Must be a valid UUID.") from None


def validate_project_id(project_id: str) -> None:
    if not PROJECT_ID.match(project_id):
        raise HTTPException(
            status_code=400,
            detail="Invalid project ID format. Only alphanumeric, underscore, and dash characters allowed.",
        )
    if len(project_id) > PROJECT_ID_MAX:
        raise HTTPException(status_code=400, detail="Project ID too long. Maximum 100 characters allowed.")
