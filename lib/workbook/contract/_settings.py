"""Notebook 40's parameters, validated once: one line of a UsageError per bad value.

The connection (base URL, credentials, extra headers, TLS, timeouts) is the `studio` service
profile of the params file's `services:` section, named by `studio_service`; the dialect is the
`dialect` parameter, else the profile's `dialect:`, else ORFEAS's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, field_validator, model_validator

from .. import connect
from ..errors import UsageError
from ..notebook import NotebookSettings
from ._dialects import DEFAULT_DIALECT, DIALECTS, StudioDialect

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


def _studio(services: dict[str, Any], name: str) -> connect.ServiceProfile:
    """The studio's profile, with a URL (ValueError naming the known profiles otherwise)."""
    try:
        profile = connect.profile(services, name)
    except UsageError as error:
        raise ValueError(str(error)) from None
    if not (profile.url or profile.url_env):
        raise ValueError(f"service profile {profile.name!r} has no url (the params file's services: section)")
    return profile


def _dialect_named(name: str, param: str) -> type[StudioDialect]:
    try:
        return connect.pick_dialect(DIALECTS, name, param=param)
    except UsageError as error:
        raise ValueError(str(error)) from None


class ContractSettings(NotebookSettings):
    services: dict[str, Any]
    studio_service: str = Field(min_length=1)
    openapi_url: str  # a URL, a local file path (a spec kept in the repository, not served), or ''
    admin_url: str
    upload_dir: str
    output_dir: str
    dialect: str
    dialect_options: dict[str, Any]
    health_budget_s: float = Field(gt=0, le=600)
    health_words: dict[str, str]
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

    _profile: connect.ServiceProfile = PrivateAttr()

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

    @field_validator("health_words")
    @classmethod
    def _words(cls, value: dict[str, str]) -> dict[str, str]:
        bad = {word: verdict for word, verdict in value.items() if verdict not in ("pass", "warn", "fail")}
        if bad:
            raise ValueError(f"expected status words mapped to pass, warn or fail, got {bad}")
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

    @field_validator("studio_service")
    @classmethod
    def _studio_profile(cls, value: str, info: ValidationInfo) -> str:
        if "services" in info.data:  # else `services` itself was invalid, and says so
            profile = _studio(info.data["services"], value)
            if profile.dialect:
                _dialect_named(profile.dialect, f"services.{value}.dialect")
        return value

    @field_validator("dialect")
    @classmethod
    def _dialect(cls, value: str) -> str:
        if value:
            _dialect_named(value, "dialect")
        return value

    @field_validator("dialect_options")
    @classmethod
    def _options(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if not {"services", "studio_service", "dialect"} <= set(info.data):
            return value  # the dialect is unknown: its own line says why
        profile = _studio(info.data["services"], info.data["studio_service"])
        chosen = DIALECTS[info.data["dialect"] or profile.dialect or DEFAULT_DIALECT]
        try:
            chosen.options_model.model_validate(value)
        except ValidationError as error:
            known = ", ".join(chosen.options_model.model_fields)
            wrong = "; ".join(
                f"{'.'.join(map(str, item['loc']))}: "
                + ("unknown option" if item["type"] == "extra_forbidden" else item["msg"])
                for item in error.errors()
            )
            raise ValueError(f"dialect_options for {chosen.name}: {wrong} (options: {known})") from None
        return value

    @field_validator("cors_denied_origin")
    @classmethod
    def _denied(cls, value: str, info: ValidationInfo) -> str:
        if value and value in info.data.get("cors_allowed_origins", []):
            raise ValueError(f"cors_denied_origin {value!r} is also in cors_allowed_origins")
        return value

    @model_validator(mode="after")
    def _connection(self) -> ContractSettings:
        self._profile = _studio(self.services, self.studio_service)
        return self

    @property
    def profile(self) -> connect.ServiceProfile:
        """The studio's connection: base URL, credentials, headers, TLS, timeouts."""
        return self._profile

    @property
    def base_url(self) -> str:
        return self._profile.base_url.rstrip("/")

    @property
    def request_timeout_s(self) -> float:
        """How long one request may take: the profile's read timeout."""
        return self._profile.read_timeout_s

    @property
    def dialect_class(self) -> type[StudioDialect]:
        return DIALECTS[self.dialect or self._profile.dialect or DEFAULT_DIALECT]
