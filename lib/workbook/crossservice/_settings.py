"""The notebook's parameters (notebook 60), validated once."""

from __future__ import annotations

from typing import Self

from pydantic import Field, field_validator, model_validator

from .._settings import NotebookSettings

URL_FIELDS = (
    "characters_url",
    "story_url",
    "tasks_url",
    "brain_admin_url",
    "characters_admin_url",
    "story_admin_url",
)


class CrossServiceSettings(NotebookSettings):
    characters_url: str
    story_url: str
    brain_ws_url: str
    tasks_url: str = ""
    brain_admin_url: str = ""
    characters_admin_url: str = ""
    story_admin_url: str = ""
    project_a: str = Field(default="proj-a", pattern=r"^[A-Za-z0-9_.:\-]{1,100}$")
    project_b: str = Field(default="proj-b", pattern=r"^[A-Za-z0-9_.:\-]{1,100}$")
    eval_project: str = Field(default="proj-eval", pattern=r"^[A-Za-z0-9_.:\-]{1,100}$")
    run_tag: str = Field(default="", pattern=r"^[A-Za-z0-9_\-]{0,40}$")
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
    job_timeout_s: float = Field(default=60.0, gt=0, le=600)

    @field_validator(*URL_FIELDS)
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL (or empty)")
        return value.rstrip("/")

    @field_validator("characters_url", "story_url")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value:
            raise ValueError("expected the service's base URL, e.g. http://host:8000")
        return value

    @field_validator("brain_ws_url")
    @classmethod
    def _ws(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("expected a ws:// or wss:// URL (the brain's MCP endpoint)")
        return value

    @model_validator(mode="after")
    def _distinct_projects(self) -> Self:
        if len({self.project_a, self.project_b, self.eval_project}) != 3:
            raise ValueError("project_a, project_b and eval_project must be three different projects")
        return self

    def project(self, which: str) -> str:
        """The project id with the run tag (so reruns against a live service do not collide)."""
        base = {"a": self.project_a, "b": self.project_b, "eval": self.eval_project}[which]
        return f"{base}-{self.run_tag}" if self.run_tag else base

    @property
    def can_inject_faults(self) -> bool:
        return bool(self.brain_admin_url and self.characters_admin_url and self.story_admin_url)
