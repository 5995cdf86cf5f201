"""The launcher's factory for the task API and its workers (Redis through the fault proxy)."""

from __future__ import annotations

import sys

import httpx

from .._spec import ServiceContext, ServiceSpec
from ._config import BROKER_URL_ENV, HOME_ENV, PASSWORD_ENV_ENV, QUEUE, UPSTREAM_URL_ENV, WORKERS_ENV
from ._switches import faults

NAME = "tasks"
WORKERS = ("w1@sandbox", "w2@sandbox")

__all__ = ["faults", "service"]


def service(ctx: ServiceContext) -> ServiceSpec:
    redis, proxy, upstream = ctx.outputs["redis"], ctx.outputs["faultproxy"], ctx.outputs["upstream"]
    home = ctx.service_dir(NAME)
    sock = ctx.listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    password_env = redis["password_env"]
    env = {
        BROKER_URL_ENV: proxy["redis_url"],  # every Redis byte of API and workers crosses the proxy
        PASSWORD_ENV_ENV: password_env,
        password_env: ctx.secrets[password_env],
        UPSTREAM_URL_ENV: upstream["url"],
        HOME_ENV: str(home),
        WORKERS_ENV: ",".join(WORKERS),
    }
    return ServiceSpec(
        name=NAME,
        argv=[sys.executable, "-m", "workbook.sandbox.tasks", "--fd", str(sock.fileno())],
        ready_url=f"{url}/health/live",
        outputs={
            "url": url,
            "ws_url": url.replace("http://", "ws://"),
            "admin_url": url,
            "workers": ",".join(WORKERS),
            "queue": QUEUE,
            "files_dir": str(home / "files"),
            "temp_dir": str(home / "tmp"),
        },
        env=env,
        ready_check=lambda: _workers_consuming(url, len(WORKERS)),
        ready_timeout_s=60.0,
        stop_timeout_s=10.0,
        sockets=[sock],
    )


def _workers_consuming(url: str, expected: int) -> None:
    body = httpx.get(f"{url}/health/ready", timeout=5.0).json()
    consuming = body["checks"]["workers:consuming"][0]["observedValue"]
    if consuming != expected:
        raise RuntimeError(f"{consuming} of {expected} workers consume the queue")
