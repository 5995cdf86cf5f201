"""How a deployment serves an image, decided from what `GET get_character_reference/{id}` returns.

JSON with an `image_url` is cloud serving, image bytes are local serving, anything else is
unknown (and the cloud checks run, so they name what went wrong). config/debug is not consulted:
its spelling is the backend's choice, and a claim is not evidence (`_config` reads the claim so
the serving-mode check can report a configuration that misdescribes the service).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import httpx

from ._inspect import image_size

Mode = Literal["cloud", "local", "unknown"]


@dataclass(frozen=True)
class ServingObservation:
    mode: Mode
    # What the GET answered, in words, for details and skip reasons.
    evidence: str


def observe_serving(response: httpx.Response) -> ServingObservation:
    where = f"GET {response.request.url.path}"
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower() or "no content type"
    if response.status_code != 200:
        return ServingObservation("unknown", f"{where} answered {response.status_code} {content_type}")
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = response.json()
        except ValueError:
            return ServingObservation("unknown", f"{where} answered 200 {content_type} that does not parse")
        if isinstance(body, dict) and isinstance(body.get("image_url"), str) and body["image_url"]:
            return ServingObservation("cloud", f"{where} answered 200 JSON with image_url")
        return ServingObservation("unknown", f"{where} answered 200 JSON without an image_url")
    if content_type.startswith("image/") or image_size(response.content) is not None:
        return ServingObservation("local", f"{where} answered 200 {content_type}")
    return ServingObservation("unknown", f"{where} answered 200 {content_type}, neither JSON nor an image")
