"""The one client interface a character-reference backend dialect implements: its routes, the body of
a generate request, and the config/debug keys that claim cloud serving."""

from __future__ import annotations

from abc import ABC
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class DialectOptions(BaseModel):
    """What varies inside a dialect (defaults are the platform's values; params may override)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    generate_path: str
    get_path: str  # with {image_id}
    config_path: str
    # config/debug keys that claim cloud serving, the effective one first (matched case- and separator-blind).
    serving_keys: tuple[str, ...]
    # Where persist_job_assets puts a job folder's entries under the job prefix: local name -> cloud path.
    job_layout: dict[str, str]
    # The keys persist_job_assets' answer has.
    job_result_keys: tuple[str, ...]


class CharacterDialect(ABC):
    """A backend's dialect: how to ask it to generate, to serve an image, and for its configuration."""

    name: ClassVar[str]
    defaults: ClassVar[DialectOptions]

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        self.options = self.defaults.model_copy(update=overrides or {})

    def generate_body(
        self, description: str, num_images: int, aspect_ratio: str, output_format: str = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "character_description": description,
            "num_images": num_images,
            "aspect_ratio": aspect_ratio,
        }
        if output_format:
            body["output_format"] = output_format
        return body

    def get_path(self, image_id: str) -> str:
        return self.options.get_path.format(image_id=image_id)
