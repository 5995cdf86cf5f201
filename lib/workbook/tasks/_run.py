"""One notebook run: validated settings, the clients, what was observed, and cleanup."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from .._secrets import read_secret
from .._sync import run_sync
from ..chaos import Journal, ToxiproxyClient
from ..sandbox import clear_faults, set_faults
from ._api import Observation, OnEvent, TaskApi
from ._redis import client as redis_client
from ._settings import TaskPipelineSettings
from ._workers import WorkerControl


@dataclass
class Marker:
    """A moment on the timeline (a fault injected or lifted)."""

    label: str
    time: float


@dataclass
class TaskPipelineRun:
    settings: TaskPipelineSettings
    password: str
    api: TaskApi
    control: WorkerControl
    proxy: ToxiproxyClient | None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    observations: list[tuple[str, Observation]] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    journals: list[Journal] = field(default_factory=list)
    recoveries: list[dict[str, Any]] = field(default_factory=list)
    health_samples: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def open(cls, settings: TaskPipelineSettings) -> TaskPipelineRun:
        password = read_secret(settings.redis_password_env, purpose="Redis password") or ""
        return cls(
            settings=settings,
            password=password,
            api=TaskApi(settings.api_base_url, settings.websocket_base),
            control=WorkerControl(
                settings.redis_url, password, settings.worker_names, timeout_s=settings.ping_timeout_s
            ),
            proxy=ToxiproxyClient(settings.fault_proxy_url) if settings.fault_proxy_url else None,
        )

    @property
    def prefix(self) -> str:
        return f"workbook:nb50:{self.run_id}"

    def redis(self) -> Any:
        return redis_client(self.settings.redis_url, self.password)

    def job_params(self, **overrides: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "frames": self.settings.frames,
            "step_s": self.settings.step_s,
            "output_size": self.settings.output_size,
        }
        params.update(overrides)
        return params

    def run_tasks(
        self,
        label: str,
        params_list: list[dict[str, Any]],
        *,
        on_event: OnEvent | None = None,
        timeout_s: float | None = None,
    ) -> list[Observation]:
        timeout = timeout_s or self.settings.task_timeout_s
        observed = run_sync(
            self.api.run_tasks(self.settings.job_type, params_list, timeout_s=timeout, on_event=on_event),
            timeout_s=timeout + 30,
            what=f"{label} tasks",
        )
        self.observations.extend((label, observation) for observation in observed)
        return observed

    def mark(self, label: str) -> None:
        self.markers.append(Marker(label, time.time()))

    def recovery(self, experiment: str, metric: str, seconds: float | None) -> None:
        self.recoveries.append(
            {"experiment": experiment, "metric": metric, "seconds": None if seconds is None else round(seconds, 3)}
        )

    def task_ids(self) -> list[str]:
        return [observation.task_id for _, observation in self.observations]

    # --- sandbox answer switches of the upstream (always lifted afterwards) ------------------

    @contextlib.contextmanager
    def upstream_answers(self, switches: dict[str, Any]) -> Iterator[None]:
        admin = self.settings.upstream_admin_url
        set_faults(admin, switches)
        self.mark(f"upstream {','.join(switches)}")
        try:
            yield
        finally:
            clear_faults(admin)

    def upstream_requests(self, task_id: str) -> list[dict[str, Any]]:
        response = httpx.get(self.settings.upstream_admin_url + "/_sandbox/requests", timeout=10.0)
        response.raise_for_status()
        return [entry for entry in response.json()["requests"] if entry.get("task_id") == task_id]

    def close(self) -> None:
        with contextlib.suppress(Exception), self.redis() as client:
            keys = list(client.scan_iter(match=f"{self.prefix}:*", count=500))
            if keys:
                client.delete(*keys)
        self.api.close()
        self.control.close()
        if self.proxy is not None:
            self.proxy.close()
