"""One notebook run: validated settings, the dialect's client, Celery's remote control, the fault
proxy, what was observed, and cleanup."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..chaos import Journal, ToxiproxyClient
from ..connect import ServiceProfile, profile
from ..runtime import run_sync
from ..sandbox import clear_faults, set_faults
from ._client import Follow, OnRecord, TaskClient
from ._dialects import make_dialect
from ._pacer import CreationPacer
from ._redis import client as redis_client
from ._settings import TaskPipelineSettings
from ._workers import WorkerControl


@dataclass
class Marker:
    """A moment on the timeline (a fault injected or lifted)."""

    label: str
    time: float


def redis_connection(redis: ServiceProfile) -> tuple[str, str]:
    """(URL, password) of the platform's Redis: the URL from `url` or `url_env` (password inside it
    allowed), the password from `auth: {kind: password}` when Redis has one ("" when it has none)."""
    password = redis.auth.secret() if redis.auth is not None and redis.auth.kind == "password" else ""
    return redis.base_url, password


@dataclass
class TaskPipelineRun:
    settings: TaskPipelineSettings
    redis_url: str
    password: str
    packages: ServiceProfile
    client: TaskClient
    control: WorkerControl
    proxy: ToxiproxyClient | None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    observations: list[tuple[str, Follow]] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    journals: list[Journal] = field(default_factory=list)
    recoveries: list[dict[str, Any]] = field(default_factory=list)
    _serial: int = 0

    @classmethod
    def open(cls, settings: TaskPipelineSettings) -> TaskPipelineRun:
        platform = profile(settings.services, settings.repackager_service)
        redis_url, password = redis_connection(profile(settings.services, settings.redis_service))
        name = settings.dialect or platform.dialect or "repackaging"
        dialect = make_dialect(name, settings.dialect_options)
        pacer = CreationPacer(settings.create_limit, settings.create_window_s)
        return cls(
            settings=settings,
            redis_url=redis_url,
            password=password,
            packages=profile(settings.services, settings.package_service),
            client=TaskClient(dialect, platform, pacer),
            control=WorkerControl(redis_url, password, settings.worker_names, timeout_s=settings.ping_timeout_s),
            proxy=ToxiproxyClient(settings.fault_proxy_url) if settings.fault_proxy_url else None,
        )

    @property
    def dialect(self) -> Any:
        return self.client.dialect

    @property
    def prefix(self) -> str:
        return f"workbook:nb50:{self.run_id}"

    def redis(self) -> Any:
        return redis_client(self.redis_url, self.password)

    def package_url(self, label: str, requirement_set: int | None = None, name: str = "") -> str:
        """A package URL of its own for each task (so the download source's log tells tasks apart),
        and a file name of its own unless `name` is given: the platform works in a folder named after
        the package, so only the isolation check shares a name on purpose. `-r<N>` picks the sandbox
        upstream's requirement set N."""
        self._serial += 1
        variant = f"{self.run_id}-{label}-{self._serial}" + (
            f"-r{requirement_set}" if requirement_set is not None else ""
        )
        file_name = name or f"{self.settings.package_name}-{self.run_id}-{self._serial}"
        return self.packages.http_url(f"{self.settings.package_path}/{variant}/{file_name}.difypkg")

    def original(self, package_url: str) -> bytes:
        """The package as the download source serves it, fetched here (not through the platform)."""
        with self.packages.http_client() as http:
            response = http.get(package_url)
        response.raise_for_status()
        return bytes(response.content)

    def run_tasks(self, label: str, package_urls: list[str], *, on_record: OnRecord | None = None) -> list[Follow]:
        timeout = self.settings.task_timeout_s
        observed = run_sync(
            self.client.run(package_urls, timeout_s=timeout, grace_s=self.settings.ws_grace_s, on_record=on_record),
            timeout_s=timeout + 60,
            what=f"{label} tasks",
        )
        self.observations.extend((label, observation) for observation in observed)
        return observed

    def wait_terminal(self, task_id: str, timeout_s: float) -> dict[str, Any]:
        """Poll the task's HTTP record until it is terminal or `timeout_s` passed; the last record."""
        deadline = time.monotonic() + timeout_s
        record: dict[str, Any] = {}
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                record = self.client.record(task_id) or record
            if record and self.dialect.state(record) in ("completed", "failed"):
                break
            time.sleep(0.2)
        return record

    def mark(self, label: str) -> None:
        self.markers.append(Marker(label, time.time()))

    def recovery(self, experiment: str, metric: str, seconds: float | None) -> None:
        self.recoveries.append(
            {"experiment": experiment, "metric": metric, "seconds": None if seconds is None else round(seconds, 3)}
        )

    @contextlib.contextmanager
    def upstream_answers(self, switches: dict[str, Any]) -> Iterator[None]:
        admin = self.settings.upstream_admin_url
        set_faults(admin, switches)
        self.mark(f"upstream {','.join(switches)}")
        try:
            yield
        finally:
            clear_faults(admin)

    def upstream_requests(self, package_url: str, method: str = "GET") -> list[dict[str, Any]]:
        """The download source's own log of requests for one package (the platform sends no task id)."""
        response = httpx.get(self.settings.upstream_admin_url + "/_sandbox/requests", timeout=10.0)
        response.raise_for_status()
        path = httpx.URL(package_url).path
        return [e for e in response.json()["requests"] if e.get("path") == path and e.get("method", "GET") == method]

    def close(self) -> None:
        with contextlib.suppress(Exception), self.redis() as client:
            keys = list(client.scan_iter(match=f"{self.prefix}:*", count=500))
            if keys:
                client.delete(*keys)
        self.client.close()
        self.control.close()
        if self.proxy is not None:
            self.proxy.close()
