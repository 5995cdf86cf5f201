"""The persistence notebook's settings: its parameters cell, validated once (pydantic).

Field names are the notebook's parameter names and have no defaults: the parameters cell of
notebook 10 is the one place defaults live, and `PersistenceSettings.from_namespace(globals())`
takes exactly these fields from it. Every invalid field is one line of a `workbook.UsageError`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator

from ..notebook import NotebookSettings
from ._inspect import RATIO_TOLERANCE, ratio_of

# Extensions the extension check knows how to produce (Pillow format) and their content types.
EXTENSION_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
EXTENSION_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
}
# output_format values generate accepts (mv/image_generator.py:40) and the type each must be stored as.
OUTPUT_FORMAT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
# The S3 limit on X-Amz-Expires (7 days).
MAX_EXPIRES_S = 604800
# More images per request than this is not a persistence test any more (and costs real money live).
MAX_IMAGES = 16

Positive = Annotated[float, Field(gt=0)]


class PersistenceSettings(NotebookSettings):
    """What notebook 10 is pointed at and how hard it looks (one field per notebook parameter)."""

    services: dict[str, Any]
    backend_service: str
    local_backend_service: str
    dialect: str
    admin_url: str
    storage_endpoint: str
    storage_bucket: str
    storage_region: str
    s3_access_key_env: str
    s3_secret_key_env: str
    expected_expiry_s: Annotated[int, Field(ge=1, le=MAX_EXPIRES_S)]
    num_images: Annotated[int, Field(ge=1, le=MAX_IMAGES)]
    max_num_images: Annotated[int, Field(ge=1, le=MAX_IMAGES)]
    aspect_ratio: str
    other_aspect_ratio: str
    character_description: str
    extensions: tuple[str, ...]
    output_formats: tuple[str, ...]
    service_import: str
    service_python: str
    service_sys_path: str
    export_seed_env: bool
    standalone_prefix: str
    job_prefix: str
    job_character_dir: str
    keep_objects: bool
    fallback_check_live: bool
    expired_wait_max_s: Annotated[float, Field(ge=0)]
    benchmark_counts: tuple[Annotated[int, Field(ge=1, le=100_000)], ...]
    presign_budget_ms: Positive
    benchmark_max_s: Positive
    request_timeout_s: Positive
    signing_tolerance_s: Positive

    @field_validator("admin_url", "storage_endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @field_validator("backend_service")
    @classmethod
    def _backend_given(cls, value: str) -> str:
        if not value:
            raise ValueError("expected the name of the backend's service profile (services:), e.g. 'refbackend'")
        return value

    @field_validator("output_formats")
    @classmethod
    def _formats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(fmt not in OUTPUT_FORMAT_TYPES for fmt in value):
            raise ValueError(f"expected a subset of {sorted(OUTPUT_FORMAT_TYPES)}")
        return value

    @field_validator("storage_bucket")
    @classmethod
    def _bucket_given(cls, value: str) -> str:
        if not value:
            raise ValueError("expected the bucket the backend writes to")
        return value

    @field_validator("aspect_ratio")
    @classmethod
    def _ratio(cls, value: str) -> str:
        if ratio_of(value) is None:
            raise ValueError("expected an aspect ratio W:H such as '1:1' or '16:9'")
        return value

    @field_validator("max_num_images")
    @classmethod
    def _max_images(cls, value: int, info: ValidationInfo) -> int:
        count = info.data.get("num_images")
        if count is not None and count > value:
            raise ValueError(f"expected at least num_images (num_images {count} is above max_num_images {value})")
        return value

    @field_validator("other_aspect_ratio")
    @classmethod
    def _other_ratio(cls, value: str, info: ValidationInfo) -> str:
        ratio = ratio_of(value)
        if ratio is None or abs(ratio - 1) < RATIO_TOLERANCE:
            raise ValueError("expected a non-square ratio W:H such as '16:9' (a backend ignoring it must fail)")
        first = ratio_of(str(info.data.get("aspect_ratio", "")))
        if first is not None and abs(ratio - first) < RATIO_TOLERANCE * first:
            raise ValueError("expected a ratio other than aspect_ratio (it is tried in addition)")
        return value

    @field_validator("extensions")
    @classmethod
    def _extensions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or any(extension.lower() not in EXTENSION_FORMATS for extension in value):
            raise ValueError(f"expected a non-empty subset of {sorted(EXTENSION_FORMATS)}")
        return value

    @field_validator("benchmark_counts")
    @classmethod
    def _counts(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise ValueError("expected at least one count of URLs")
        return value

    @field_validator("service_import")
    @classmethod
    def _service_import(cls, value: str) -> str:
        if value and ":" not in value:
            raise ValueError("expected 'module.path:ClassName', or empty for no service")
        return value

    @field_validator("job_prefix")
    @classmethod
    def _job_prefix(cls, value: str) -> str:
        if "{job_id}" not in value:
            raise ValueError("expected a template containing '{job_id}'")
        return value

    def standalone_key(self, image_id: str, extension: str = "png") -> str:
        return f"{self.standalone_prefix}{image_id}.{extension}"

    def job_key(self, job_id: str, image_id: str, extension: str = "png") -> str:
        return self.job_object(job_id, f"{self.job_character_dir}/{image_id}.{extension}")

    def job_object(self, job_id: str, relative: str) -> str:
        return f"{self.job_prefix.format(job_id=job_id)}{relative}"
