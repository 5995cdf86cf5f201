"""The studio's request and response shapes; the request schemas are also what its OpenAPI document says."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ._media import FORMATS, STYLES

Style = Literal["realistic", "anime", "cartoon", "sketch"]
MeshFormat = Literal["stl", "obj", "glb"]
MAX_PROMPT = 4000
NOT_BLANK = r"\S"  # JSON Schema patterns search: at least one non-space character


def _integral(value: Any) -> Any:
    # JSON Schema's "integer" includes 5.0; strict mode would reject it, so convert exactly-integral floats.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Integral = Annotated[int, BeforeValidator(_integral)]


class TextToImageIn(BaseModel):
    # strict: "5" is not 5 and null is not a style, so schema-violating bodies are rejected
    model_config = ConfigDict(strict=True, extra="ignore")
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT, pattern=NOT_BLANK)
    style: Style = "realistic"


class Generate3dIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    job_id: str = Field(min_length=1, max_length=200)
    format: MeshFormat = "stl"
    quality: Integral = Field(default=5, ge=1, le=10)


TEXT_TO_IMAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["prompt"],
    "properties": {
        "prompt": {"type": "string", "minLength": 1, "maxLength": MAX_PROMPT, "pattern": NOT_BLANK},
        "style": {"type": "string", "enum": list(STYLES), "default": "realistic"},
    },
}
GENERATE_3D_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["job_id"],
    "properties": {
        "job_id": {"type": "string", "minLength": 1, "maxLength": 200},
        "format": {"type": "string", "enum": list(FORMATS), "default": "stl"},
        "quality": {"type": "integer", "minimum": 1, "maximum": 10, "default": 5},
    },
}
UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["image"],
    "properties": {"image": {"type": "string", "format": "binary", "description": "a PNG, JPEG, WebP or GIF"}},
}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def multipart_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


class HealthOut(BaseModel):
    status: Literal["ok"]
    uptime_s: float


class ReadyOut(BaseModel):
    ready: bool
    detail: str | None = None


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    detail: str | list[ErrorItem]


class UploadOut(BaseModel):
    job_id: str
    status: Literal["uploaded"]
    filename: str
    size_bytes: int
    image_format: str
    width: int
    height: int


class ImageJobOut(BaseModel):
    job_id: str
    status: Literal["completed"]
    prompt: str
    style: Style
    image_url: str


class MeshJobOut(BaseModel):
    job_id: str
    source_job_id: str
    status: Literal["processing", "completed"]
    format: MeshFormat
    quality: int
    result_url: str


class JobOut(BaseModel):
    job_id: str
    kind: Literal["image", "mesh"]
    status: Literal["processing", "completed"]
    result_url: str
    format: MeshFormat | None = None
    quality: int | None = None
    source_job_id: str | None = None


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting error statuses with the error body."""
    return {status: {"model": ErrorOut} for status in statuses}
