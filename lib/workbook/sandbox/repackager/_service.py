"""The launcher's factory for the repackaging platform: its API socket, its two workers, and its
Redis reached only through the fault proxy (so toxics and "down" hit all of its Redis traffic)."""

from __future__ import annotations

import json
import os
import sys

import httpx

from .._spec import ServiceContext, ServiceSpec
from ._config import LINE_S_ENV, QUEUE, RATE_ENV, WORKERS_ENV
from ._switches import faults

NAME = "repackager"
# Not "w1@sandbox": the old `tasks` stand-in's workers share this Redis and its remote-control channel.
WORKERS = ("w1@repackager", "w2@repackager")

__all__ = ["faults", "service"]


def service(ctx: ServiceContext) -> ServiceSpec:
    redis, proxy, upstream = ctx.outputs["redis"], ctx.outputs["faultproxy"], ctx.outputs["upstream"]
    home = ctx.service_dir(NAME)
    sock = ctx.listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    redis_url = proxy["redis_url"]  # every Redis byte of API and workers crosses the proxy
    password = ctx.secrets.get(redis.get("password_env", ""), "")
    if password:  # inside REDIS_URL, as the platform takes it
        scheme, _, rest = redis_url.partition("://")
        redis_url = f"{scheme}://:{password}@{rest}"
    env = {
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "TEMP_DIR": str(home / "temp"),
        "SCRIPTS_DIR": str(home / "scripts"),
        "PIP_MIRROR_URL": upstream["index_url"],
        "ALLOWED_DOWNLOAD_DOMAINS": json.dumps(["127.0.0.1", "localhost"]),
        WORKERS_ENV: ",".join(WORKERS),
        LINE_S_ENV: os.environ.get(LINE_S_ENV, "1.0"),
        RATE_ENV: os.environ.get(RATE_ENV, "30"),
    }
    return ServiceSpec(
        name=NAME,
        argv=[sys.executable, "-m", "workbook.sandbox.repackager", "--fd", str(sock.fileno())],
        ready_url=f"{url}/health",
        outputs={
            "url": url,
            "ws_url": url.replace("http://", "ws://"),
            "admin_url": url,
            "workers": ",".join(WORKERS),
            "queue": QUEUE,
            "temp_dir": env["TEMP_DIR"],
            "scripts_dir": env["SCRIPTS_DIR"],
        },
        env=env,
        ready_check=lambda: _ready(url, redis_url, list(WORKERS)),
        ready_timeout_s=60.0,
        stop_timeout_s=10.0,
        sockets=[sock],
    )


def _ready(url: str, broker_url: str, workers: list[str]) -> None:
    """Healthy, and both workers answer a ping (the platform's own health does not look at them)."""
    body = httpx.get(f"{url}/health", timeout=5.0).json()
    if body.get("status") != "healthy":
        raise RuntimeError(f"/health says {body}")
    from celery import Celery

    app = Celery("ready-probe", broker=broker_url, set_as_current=False)
    try:
        replies = app.control.ping(destination=workers, timeout=1.0, limit=len(workers))
    finally:
        app.close()
    if len(replies) < len(workers):
        raise RuntimeError(f"{len(replies)} of {workers} answer ping")
