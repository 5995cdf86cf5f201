"""The notebook's parameters (notebook 60), validated once."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from .._settings import NotebookSettings

PROJECT = r"^[A-Za-z0-9_\-]{1,60}$"  # the task service's rule (^[A-Za-z0-9_-]+$, <= 100) with room for the run tag
URL_FIELDS = ("taskservice_url", "taskservice_admin_url", "brain_admin_url", "webhook_public_url")


class CrossServiceSettings(NotebookSettings):
    taskservice_url: str
    taskservice_api_key_env: str = "SANDBOX_TASKSERVICE_API_KEY"
    taskservice_dialect: str = "celery-redis"
    taskservice_options: dict[str, Any] = Field(default_factory=dict)
    brain_ws_url: str
    taskservice_admin_url: str = ""
    brain_admin_url: str = ""
    project_a: str = Field(default="proj-a", pattern=PROJECT)
    project_b: str = Field(default="proj-b", pattern=PROJECT)
    eval_project: str = Field(default="proj-eval", pattern=PROJECT)
    run_tag: str = Field(default="", pattern=r"^[A-Za-z0-9_\-]{0,30}$")
    project_b_api_key_env: str = ""
    webhook_host: str = "127.0.0.1"
    webhook_public_url: str = ""
    task_timeout_s: float = Field(default=30.0, gt=0, le=600)
    webhook_grace_s: float = Field(default=5.0, ge=0, le=120)
    error_bound_s: float = Field(default=20.0, gt=0, le=600)
    brain_refusing_faults: dict[str, Any] = Field(default_factory=lambda: {"error_rate": 1})
    characters_url: str = ""
    story_url: str = ""
    eval_set_path: str = ""
    ndcg_at_10_min: float = Field(default=0.60, ge=0, le=1)
    recall_at_1_min: float = Field(default=0.75, ge=0, le=1)
    recall_at_5_min: float = Field(default=0.90, ge=0, le=1)
    mrr_min: float = Field(default=0.80, ge=0, le=1)
    silhouette_min: float = Field(default=0.02, ge=-1, le=1)
    centroid_accuracy_min: float = Field(default=0.50, ge=0, le=1)
    embed_p50_ms_max: float = Field(default=500.0, gt=0)
    flow_total_s_max: float = Field(default=30.0, gt=0)
    long_text_chars: int = Field(default=4000, ge=500, le=5000)
    request_timeout_s: float = Field(default=20.0, gt=0, le=300)

    @field_validator(*URL_FIELDS, "characters_url", "story_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL (or empty)")
        return value.rstrip("/")

    @field_validator("taskservice_url")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value:
            raise ValueError("expected the task service's base URL, e.g. http://host:8001")
        return value

    @field_validator("brain_ws_url")
    @classmethod
    def _ws(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("expected a ws:// or wss:// URL (the brain's WebSocket, at / of its HTTP port)")
        return value

    @model_validator(mode="after")
    def _distinct_projects(self) -> Self:
        if len({self.project_a, self.project_b, self.eval_project}) != 3:
            raise ValueError("project_a, project_b and eval_project must be three different projects")
        return self
