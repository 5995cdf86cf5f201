"""The launcher's factory for the task service: an API socket, a generated API key, Redis dbs 2/3
of the sandbox's Redis (directly, not through the fault proxy), the brain's URL."""

from __future__ import annotations

import sys

import httpx

from .._faults import TIME_SCALE_ENV
from .._spec import ServiceContext, ServiceSpec
from ._config import (
    API_KEYS_ENV,
    BRAIN_URL_ENV,
    HOME_ENV,
    PASSWORD_ENV_ENV,
    QUEUES,
    REDIS_URL_ENV,
    RESULT_URL_ENV,
    WORKER_NAME,
)
from ._switches import faults

NAME = "taskservice"
API_KEY_SECRET = "SANDBOX_TASKSERVICE_API_KEY"
BROKER_DB, RESULT_DB = 2, 3  # notebook 50's task platform uses db 0

__all__ = ["faults", "service"]


def service(ctx: ServiceContext) -> ServiceSpec:
    redis, brain = ctx.outputs["redis"], ctx.outputs["brain"]
    home = ctx.service_dir(NAME)
    sock = ctx.listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    base = f"redis://{redis['host']}:{redis['port']}"
    password_env = redis.get("password_env", "")
    key = ctx.new_secret(32)
    env = {
        REDIS_URL_ENV: f"{base}/{BROKER_DB}",
        RESULT_URL_ENV: f"{base}/{RESULT_DB}",
        PASSWORD_ENV_ENV: password_env,
        API_KEYS_ENV: key,
        BRAIN_URL_ENV: brain_http_url(brain),
        HOME_ENV: str(home),
        TIME_SCALE_ENV: str(ctx.time_scale),
    }
    if password_env and password_env in ctx.secrets:
        env[password_env] = ctx.secrets[password_env]
    return ServiceSpec(
        name=NAME,
        argv=[sys.executable, "-m", "workbook.sandbox.taskservice", "--fd", str(sock.fileno())],
        ready_url=f"{url}/health",
        outputs={
            "url": url,
            "admin_url": url,
            "redis_url": f"{base}/{BROKER_DB}",
            "result_backend_url": f"{base}/{RESULT_DB}",
            "password_env": password_env,
            "worker": WORKER_NAME,
            "queues": ",".join(QUEUES),
            "api_key_env": API_KEY_SECRET,
        },
        env=env,
        secrets={API_KEY_SECRET: key},
        ready_check=lambda: _worker_answers(url),
        ready_timeout_s=60.0,
        stop_timeout_s=10.0,
        sockets=[sock],
    )


def brain_http_url(brain: dict[str, str]) -> str:
    """The brain's HTTP base URL (what the real service's BRAIN_SERVICE_BASE_URL holds)."""
    if brain.get("url"):
        return brain["url"].rstrip("/")
    health = brain.get("health_url", "")
    return health[: -len("/health")] if health.endswith("/health") else health.rstrip("/")


def _worker_answers(url: str) -> None:
    workers = httpx.get(f"{url}/_sandbox/workers", timeout=5.0).json()["workers"]
    if WORKER_NAME not in workers:
        raise RuntimeError(f"the Celery worker {WORKER_NAME} does not answer a ping yet (answered: {workers})")
