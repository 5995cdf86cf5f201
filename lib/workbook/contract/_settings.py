"""Notebook 40's parameters, validated once: one line of a UsageError per bad value."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .._settings import NotebookSettings
from ._dialects import DIALECTS

SOAK_ENDPOINTS = ("health", "text_to_image", "upload")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
Phase = Literal["examples", "coverage", "fuzzing", "stateful"]
SoakEndpoint = Literal["health", "text_to_image", "upload"]
MeshFormat = Literal["stl", "obj", "glb", "ply"]


def _url(name: str, value: str, *, optional: bool) -> str:
    if not value and optional:
        return value
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL for {name}" + (" (or empty)" if optional else ""))
    return value.rstrip("/")


class ContractSettings(NotebookSettings):
    base_url: str
    openapi_url: str  # a URL, a local file path (a spec kept in the repository, not served), or ''
    admin_url: str
    upload_dir: str
    output_dir: str
    dialect: str
    dialect_options: dict[str, Any]
    request_timeout_s: float = Field(gt=0, le=600)
    health_budget_s: float = Field(gt=0, le=600)
    readiness_budget_s: float = Field(gt=0, le=600)
    readiness_image_px: int = Field(ge=1, le=4096)
    styles: list[str] = Field(min_length=1)
    formats: list[MeshFormat] = Field(min_length=1)
    qualities: list[int] = Field(min_length=1)
    long_prompt_chars: int = Field(ge=1, le=1_000_000)
    large_image_bytes: int = Field(ge=1, le=100_000_000)
    upload_limit_bytes: int = Field(ge=0, le=1_000_000_000)
    job_timeout_s: float = Field(gt=0, le=3600)
    traversal_targets: list[str] = Field(min_length=1)
    soak_requests: int = Field(ge=1, le=10_000)
    soak_endpoints: list[SoakEndpoint] = Field(min_length=1)
    soak_timeout_s: float = Field(gt=0, le=600)
    soak_max_stalls: int = Field(ge=1, le=100)
    soak_max_s: float = Field(gt=0, le=3600)
    schemathesis_phases: list[Phase] = Field(min_length=1)
    schemathesis_max_examples: int = Field(ge=1, le=10_000)
    schemathesis_seed: int = Field(ge=0)
    schemathesis_max_s: float = Field(gt=0, le=7200)
    cors_allowed_origins: list[str]
    cors_denied_origin: str

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        return _url("base_url", value, optional=False)

    @field_validator("admin_url")
    @classmethod
    def _optional_url(cls, value: str) -> str:
        return _url("admin_url", value, optional=True)

    @field_validator("openapi_url")
    @classmethod
    def _spec(cls, value: str) -> str:
        if not value or value.startswith(("http://", "https://")):
            return value
        if not Path(value).expanduser().is_file():
            raise ValueError(f"openapi_url {value!r}: expected an http(s) URL or an existing file (JSON or YAML)")
        return str(Path(value).expanduser())

    @field_validator("dialect")
    @classmethod
    def _dialect(cls, value: str) -> str:
        if value not in DIALECTS:
            raise ValueError(f"unknown dialect {value!r}; known: {', '.join(sorted(DIALECTS))}")
        return value

    @field_validator("qualities")
    @classmethod
    def _qualities(cls, value: list[int]) -> list[int]:
        if any(quality < 0 for quality in value):
            raise ValueError("expected quality levels >= 0")
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        bad = [origin for origin in value if not origin.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(f"expected origins like https://app.example.com, got {bad}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ContractSettings:
        if self.cors_denied_origin and self.cors_denied_origin in self.cors_allowed_origins:
            raise ValueError(f"cors_denied_origin {self.cors_denied_origin!r} is also in cors_allowed_origins")
        try:
            DIALECTS[self.dialect].options_model.model_validate(self.dialect_options)
        except ValueError as error:
            raise ValueError(f"dialect_options for {self.dialect}: {error}") from None
        return self
