"""HTTP client for the character-reference API of the seed (httpx, injectable transport)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from ._errors import ApiError, BackendUnreachableError

GENERATE_PATH = "/api/mv/generate_character_reference"
GET_PATH = "/api/mv/get_character_reference/{image_id}"
CONFIG_PATH = "/api/mv/config/debug"
# Fields the seed's cloud-serving response carries.
CLOUD_FIELDS = ("image_id", "image_url", "storage_backend", "expires_in_seconds", "cloud_path")


class GeneratedImage(BaseModel):
    id: str
    path: str = ""
    base64: str
    cloud_url: str | None = None

    def decoded(self) -> bytes:
        """The image bytes; raises ValueError naming the image if base64 is invalid."""
        try:
            return base64.b64decode(self.base64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError(f"image {self.id}: base64 does not decode ({error})") from None


class GenerateResult(BaseModel):
    images: list[GeneratedImage]
    metadata: dict[str, Any] = {}


@dataclass(frozen=True)
class DebugConfig:
    """The answer of `GET /api/mv/config/debug`: its JSON object, or why there is none."""

    status: int
    body: dict[str, Any] | None
    # The raw text, so a leaked secret is found wherever the backend put it.
    text: str
    problem: str


class CharacterApi:
    """`CharacterApi(base_url)`: one backend deployment; `transport` lets tests answer offline."""

    def __init__(self, base_url: str, *, timeout_s: float = 60.0, transport: httpx.BaseTransport | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"API base URL must start with http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> CharacterApi:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def generate(self, character_description: str, num_images: int, aspect_ratio: str) -> GenerateResult:
        response = self.generate_raw(
            {
                "character_description": character_description,
                "num_images": num_images,
                "aspect_ratio": aspect_ratio,
            }
        )
        if response.status_code != 200:
            raise ApiError("generate_character_reference", response.status_code, response.text)
        try:
            return GenerateResult.model_validate(response.json())
        except (ValidationError, ValueError) as error:
            raise ApiError("generate_character_reference: unexpected body", 200, str(error)) from None

    def generate_raw(self, payload: dict[str, Any]) -> httpx.Response:
        return self._client.post(GENERATE_PATH, json=payload)

    def get_reference(self, image_id: str, *, redirect: bool = False) -> httpx.Response:
        """GET one image (never follows redirects, so a 30x can be inspected)."""
        params = {"redirect": "true"} if redirect else None
        return self._client.get(GET_PATH.format(image_id=image_id), params=params, follow_redirects=False)

    def config_debug(self) -> DebugConfig:
        """What `GET config/debug` answered; raises only when the backend does not answer at all.

        An endpoint that is missing, fails or answers something other than a JSON object is an
        unreadable configuration (`body` None, `problem` says why), not an error: nothing may be
        concluded from it, and the checks decide from what the backend actually serves."""
        try:
            response = self._client.get(CONFIG_PATH)
        except httpx.TransportError as error:
            raise BackendUnreachableError(f"cannot reach the backend at {self.base_url}: {error}") from error
        if response.status_code != 200:
            return DebugConfig(
                response.status_code, None, response.text, f"config/debug answered {response.status_code}"
            )
        try:
            body = response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content type")
            return DebugConfig(200, None, response.text, f"config/debug answered {kind}, not JSON")
        if not isinstance(body, dict):
            return DebugConfig(200, None, response.text, "config/debug answered JSON that is not an object")
        return DebugConfig(200, body, response.text, "")


def missing_cloud_fields(body: object) -> list[str]:
    """Seed fields absent from a cloud-serving response (all of them if it is not an object)."""
    if not isinstance(body, dict):
        return list(CLOUD_FIELDS)
    return [name for name in CLOUD_FIELDS if body.get(name) in (None, "")]
