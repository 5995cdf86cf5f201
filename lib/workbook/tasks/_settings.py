"""Notebook 50's parameters, validated once (field names are the parameter names)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .._settings import NotebookSettings


def _url(value: str, schemes: tuple[str, ...], name: str) -> str:
    if value and not value.startswith(schemes):
        raise ValueError(f"expected a {' or '.join(s + '//' for s in schemes)} URL for {name}")
    return value.rstrip("/")


class TaskPipelineSettings(NotebookSettings):
    interactive: bool = True
    redis_url: str  # redis://host:port/db, without the password
    redis_password_env: str = "REDIS_PASSWORD"
    api_base_url: str
    ws_base_url: str = ""  # empty: api_base_url with ws:// or wss://
    worker_names: list[str] = Field(min_length=1)
    queue: str = "pipeline"
    job_type: str = "render_clip"
    fault_proxy_url: str = ""  # Toxiproxy API; empty: no fault injection
    fault_proxy_redis: str = "redis"  # the proxy in front of the Redis the API and workers use
    chaos_enabled: bool = False  # explicit opt-in for readiness flips and chaos steps
    redis_admin_url: str = ""  # sandbox: restarts Redis for real; empty: a link outage through the proxy
    upstream_admin_url: str = ""  # sandbox: the upstream's answer switches; empty: upstream checks skip
    temp_dir: str = ""  # the workers' temp folder, if this machine can see it; empty: temp check skips
    frames: int = Field(default=10, ge=1, le=200)
    step_s: float = Field(default=0.05, ge=0.0, le=5.0)
    output_size: int = Field(default=256 * 1024, ge=1, le=512 * 1024 * 1024)
    concurrent_tasks: int = Field(default=6, ge=2, le=200)
    scaling_tasks: int = Field(default=4, ge=2, le=100)
    scaling_min_ratio: float = Field(default=1.3, ge=1.0, le=4.0)
    large_result_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, le=512 * 1024 * 1024)
    pubsub_messages: int = Field(default=200, ge=1, le=100_000)
    counter_increments: int = Field(default=500, ge=1, le=1_000_000)
    chaos_latency_ms: int = Field(default=40, ge=1, le=5000)
    redis_down_s: float = Field(default=1.0, ge=0.1, le=30.0)
    task_timeout_s: float = Field(default=60.0, ge=1.0, le=3600.0)
    ping_timeout_s: float = Field(default=1.0, ge=0.1, le=30.0)
    ready_timeout_s: float = Field(default=10.0, ge=1.0, le=300.0)

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://")):
            raise ValueError("expected a redis:// or rediss:// URL")
        if "@" in value:
            raise ValueError("the URL must not carry credentials: name the password's variable in redis_password_env")
        return value

    @field_validator("api_base_url")
    @classmethod
    def _api(cls, value: str) -> str:
        if not value:
            raise ValueError("expected the task API's base URL, e.g. http://host:8000")
        return _url(value, ("http:", "https:"), "api_base_url")

    @field_validator("ws_base_url")
    @classmethod
    def _ws(cls, value: str) -> str:
        return _url(value, ("ws:", "wss:"), "ws_base_url")

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
    def websocket_base(self) -> str:
        if self.ws_base_url:
            return self.ws_base_url
        return self.api_base_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)

    @property
    def chaos_ready(self) -> bool:
        return self.chaos_enabled and bool(self.fault_proxy_url)
