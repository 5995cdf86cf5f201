"""Notebook 40's parameters, validated once: one line of a UsageError per bad value."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from .._settings import NotebookSettings

# Endpoint keys of `paths` and what each must look like.
PATH_KEYS = ("health", "ready", "upload", "text_to_image", "generate_3d", "job", "result")
TEMPLATED = ("job", "result")
SOAK_ENDPOINTS = ("health", "text_to_image", "upload")
MESH_FORMATS = ("stl", "obj", "glb")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
Phase = Literal["examples", "coverage", "fuzzing", "stateful"]
MeshFormat = Literal["stl", "obj", "glb"]
SoakEndpoint = Literal["health", "text_to_image", "upload"]


def _url(name: str, value: str, *, optional: bool) -> str:
    if not value and optional:
        return value
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL for {name}" + (" (or empty)" if optional else ""))
    return value.rstrip("/")


class ContractSettings(NotebookSettings):
    base_url: str
    openapi_url: str
    admin_url: str
    upload_dir: str
    paths: dict[str, str]
    request_timeout_s: float = Field(gt=0, le=600)
    health_budget_s: float = Field(gt=0, le=600)
    readiness_budget_s: float = Field(gt=0, le=600)
    styles: list[str] = Field(min_length=1)
    formats: list[MeshFormat] = Field(min_length=1)
    qualities: list[int] = Field(min_length=1)
    long_prompt_chars: int = Field(ge=1, le=1_000_000)
    large_image_bytes: int = Field(ge=1, le=100_000_000)
    upload_limit_bytes: int = Field(ge=0, le=1_000_000_000)
    job_timeout_s: float = Field(gt=0, le=3600)
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

    @field_validator("openapi_url", "admin_url")
    @classmethod
    def _optional_url(cls, value: str) -> str:
        return _url("this setting", value, optional=True)

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(PATH_KEYS))
        missing = [key for key in PATH_KEYS if key not in value]
        if unknown or missing:
            raise ValueError(f"expected exactly the keys {', '.join(PATH_KEYS)}; unknown {unknown}, missing {missing}")
        for key, path in value.items():
            if not path.startswith("/"):
                raise ValueError(f"paths[{key!r}]={path!r}: expected a path starting with '/'")
            if key in TEMPLATED and "{job_id}" not in path:
                raise ValueError(f"paths[{key!r}]={path!r}: expected a template containing '{{job_id}}'")
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
    def _denied_not_allowed(self) -> ContractSettings:
        if self.cors_denied_origin and self.cors_denied_origin in self.cors_allowed_origins:
            raise ValueError(f"cors_denied_origin {self.cors_denied_origin!r} is also in cors_allowed_origins")
        return self

    def url(self, key: str, **values: str) -> str:
        return self.base_url + self.paths[key].format(**values)
