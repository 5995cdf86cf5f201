"""Notebook 50's parameters, validated once (field names are the parameter names)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from ..notebook import NotebookSettings


def _url(value: str, schemes: tuple[str, ...], name: str) -> str:
    if value and not value.startswith(schemes):
        raise ValueError(f"expected a {' or '.join(s + '//' for s in schemes)} URL for {name}")
    return value.rstrip("/")


class TaskPipelineSettings(NotebookSettings):
    interactive: bool = True
    services: dict[str, Any] = Field(default_factory=dict)  # the params file's connection profiles
    repackager_service: str = "repackager"  # the platform's API (url) and WebSocket (ws_url)
    redis_service: str = "redis"  # its Redis (url or url_env; auth kind password only if it has one)
    package_service: str = "upstream"  # a download source the platform may fetch packages from
    package_path: str = "/packages"  # packages at {package_service url}{package_path}/{variant}/{name}.difypkg
    dialect: str = ""  # empty: the platform profile's `dialect`, else "repackaging"
    dialect_options: dict[str, Any] = Field(default_factory=dict)
    worker_names: list[str] = Field(min_length=1)
    package_name: str = "plugin"
    fault_proxy_url: str = ""  # Toxiproxy API in front of the Redis the API and workers use
    fault_proxy_redis: str = "redis"
    chaos_enabled: bool = False
    redis_admin_url: str = ""
    upstream_admin_url: str = ""
    temp_dir: str = ""
    scripts_dir: str = ""
    concurrent_tasks: int = Field(default=4, ge=2, le=50)
    create_limit: int = Field(default=30, ge=1, le=10_000)
    create_window_s: float = Field(default=60.0, gt=0.0, le=3600.0)
    retry_backoff_s: list[float] = Field(default_factory=lambda: [1.0, 2.0])
    upstream_hang_s: float = Field(default=90.0, gt=0.0, le=600.0)
    health_budget_s: float = Field(default=2.0, gt=0.0, le=60.0)
    redis_down_s: float = Field(default=5.0, ge=0.1, le=60.0)
    chaos_latency_ms: int = Field(default=40, ge=1, le=5000)
    pubsub_messages: int = Field(default=200, ge=1, le=100_000)
    counter_increments: int = Field(default=500, ge=1, le=1_000_000)
    task_timeout_s: float = Field(default=120.0, ge=1.0, le=3600.0)
    ws_grace_s: float = Field(default=3.0, ge=0.1, le=120.0)
    ping_timeout_s: float = Field(default=1.0, ge=0.1, le=30.0)

    @field_validator("fault_proxy_url", "redis_admin_url", "upstream_admin_url")
    @classmethod
    def _admin(cls, value: str) -> str:
        return _url(value, ("http:", "https:"), "an admin URL")

    @field_validator("worker_names")
    @classmethod
    def _workers(cls, value: list[str]) -> list[str]:
        bad = [name for name in value if "@" not in name]
        if bad:
            raise ValueError(f"worker names look like name@host (Celery hostnames); got {bad}")
        return value

    @model_validator(mode="after")
    def _chaos_needs_proxy(self) -> TaskPipelineSettings:
        if self.chaos_enabled and not self.fault_proxy_url:
            raise ValueError("chaos_enabled needs fault_proxy_url (a Toxiproxy API in front of Redis)")
        return self

    @property
    def chaos_ready(self) -> bool:
        return self.chaos_enabled and bool(self.fault_proxy_url)
