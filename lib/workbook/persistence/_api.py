"""HTTP client for a character-reference backend's API (httpx from the service profile, one dialect)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from ..connect import ServiceProfile, check_access
from ._dialects import CharacterDialect
from ._errors import ApiError

# Answers a route gives that the checks judge themselves (an unknown id's 404, a missing config/debug).
ROUTE_ANSWERS = (404, 405)
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
    """One backend deployment, reached through its service profile, spoken to in one dialect.

    Every answer passes `connect.check_access` first: a 401/403 ends the check as `error/auth` (never
    evidence about the platform), a 404/405 on a route the dialect needs as `error/dialect`. `client`
    lets tests answer offline."""

    def __init__(
        self, profile: ServiceProfile, dialect: CharacterDialect, *, client: httpx.Client | None = None
    ) -> None:
        self.profile = profile
        self.dialect = dialect
        self.name = profile.name
        self.base_url = profile.base_url.rstrip("/")
        self._client = client or profile.http_client(follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> CharacterApi:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _answer(self, response: httpx.Response, *, allow: tuple[int, ...] = ()) -> httpx.Response:
        return check_access(response, profile=self.profile, dialect=self.dialect.name, allow=allow)

    def generate(
        self, character_description: str, num_images: int, aspect_ratio: str, output_format: str = ""
    ) -> GenerateResult:
        body = self.dialect.generate_body(character_description, num_images, aspect_ratio, output_format)
        response = self.generate_raw(body)
        if response.status_code != 200:
            raise ApiError("generate_character_reference", response.status_code, response.text)
        try:
            return GenerateResult.model_validate(response.json())
        except (ValidationError, ValueError) as error:
            raise ApiError("generate_character_reference: unexpected body", 200, str(error)) from None

    def generate_raw(self, payload: dict[str, Any]) -> httpx.Response:
        """POST generate; any answer but 401/403 (auth) and 404/405 (no such route) is returned."""
        response = self._client.post(self.dialect.options.generate_path, json=payload)
        return self._answer(response)

    def get_reference(self, image_id: str, *, redirect: bool = False) -> httpx.Response:
        """GET one image (never follows redirects, so a 30x can be inspected); a 404 is an answer."""
        params = {"redirect": "true"} if redirect else None
        response = self._client.get(self.dialect.get_path(image_id), params=params, follow_redirects=False)
        return self._answer(response, allow=ROUTE_ANSWERS)

    def config_debug(self) -> DebugConfig:
        """What `GET config/debug` answered (401/403 raise: the key was refused).

        An endpoint that is missing, fails or answers something other than a JSON object is an
        unreadable configuration (`body` None, `problem` says why), not an error: nothing may be
        concluded from it, and the checks decide from what the backend actually serves."""
        response = self._answer(self._client.get(self.dialect.options.config_path), allow=ROUTE_ANSWERS)
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
