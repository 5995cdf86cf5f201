"""The notebook's parameters (notebook 60), validated once."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from ..notebook import NotebookSettings

PROJECT = r"^[A-Za-z0-9_\-]{1,60}$"  # the task service's rule (^[A-Za-z0-9_-]+$, <= 100) with room for the run tag
URL_FIELDS = ("taskservice_admin_url", "brain_admin_url", "webhook_public_url")
DEFAULT_DIALECT = "celery-redis"


class CrossServiceSettings(NotebookSettings):
    services: dict[str, Any] = Field(default_factory=dict)
    taskservice_service: str = "taskservice"
    brain_service: str = "brain"
    # Optional: a second profile of the task service holding a key meant for project B only.
    project_b_service: str = ""
    characters_service: str = ""
    story_service: str = ""
    taskservice_options: dict[str, Any] = Field(default_factory=dict)
    brain_protocol: str = Field(default="", pattern=r"^(|tool-json|mcp-jsonrpc|auto)$")
    brain_tools: dict[str, Any] = Field(default_factory=dict)
    taskservice_admin_url: str = ""
    brain_admin_url: str = ""
    project_a: str = Field(default="proj-a", pattern=PROJECT)
    project_b: str = Field(default="proj-b", pattern=PROJECT)
    eval_project: str = Field(default="proj-eval", pattern=PROJECT)
    run_tag: str = Field(default="", pattern=r"^[A-Za-z0-9_\-]{0,30}$")
    webhook_host: str = "127.0.0.1"
    webhook_public_url: str = ""
    task_timeout_s: float = Field(default=30.0, gt=0, le=600)
    webhook_grace_s: float = Field(default=5.0, ge=0, le=120)
    error_bound_s: float = Field(default=20.0, gt=0, le=600)
    brain_refusing_faults: dict[str, Any] = Field(default_factory=lambda: {"error_rate": 1})
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

    @field_validator(*URL_FIELDS)
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL (or empty)")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _distinct_projects(self) -> Self:
        if len({self.project_a, self.project_b, self.eval_project}) != 3:
            raise ValueError("project_a, project_b and eval_project must be three different projects")
        return self
