"""Do the configured endpoint paths exist? In the OpenAPI document (when published) and by probing.

A probe that gets 404/405 also tries the same path with the `/api` prefix removed or added, so the
seed's mistake (tests calling `/text-to-image` where the server serves `/api/text-to-image`, or
the reverse) is named rather than reported as a bare 404.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._client import Exchange, StudioClient

PREFIX = "/api"
# Endpoints probed with a request that must not reach a handler's success path.
PROBES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "health": ("GET", None),
    "ready": ("GET", None),
    "upload": ("POST", {}),
    "text_to_image": ("POST", {}),
    "generate_3d": ("POST", {}),
}
_TEMPLATE = re.compile(r"\{[^}]*\}")


def normalise(path: str) -> str:
    """`/api/jobs/{job_id}` and `/api/jobs/{id}` compare equal."""
    return _TEMPLATE.sub("{}", path.rstrip("/") or "/")


def document_problems(document: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    """Configured paths the OpenAPI document does not list (with a hint when it lists them under another prefix)."""
    listed = {normalise(path) for path in (document.get("paths") or {})}
    found = []
    for key, path in paths.items():
        if normalise(path) in listed:
            continue
        other = _other_prefix(path)
        hint = f"; it lists {other}" if normalise(other) in listed else ""
        found.append(f"paths[{key!r}] = {path} is not in the OpenAPI document{hint}")
    return found


def _other_prefix(path: str) -> str:
    return path[len(PREFIX) :] or "/" if path.startswith(PREFIX + "/") else PREFIX + path


def missing(answer: Exchange) -> bool:
    return answer.status in (404, 405)


def probe_problems(client: StudioClient) -> tuple[list[str], list[tuple[str, Exchange]]]:
    """Probe each endpoint; a 404/405 is retried under the other prefix to name a prefix mistake."""
    found: list[str] = []
    probes: list[tuple[str, Exchange]] = []
    for key, (method, body) in PROBES.items():
        path = client.settings.paths[key]
        kwargs: dict[str, Any] = {} if body is None else {"json": body}
        answer = client.request(method, client.settings.base_url + path, **kwargs)
        probes.append((f"{method} {path}", answer))
        if answer.status is None:
            found.append(f"{method} {path}: no answer ({answer.error})")
            continue
        if not missing(answer):
            continue
        other = _other_prefix(path)
        retry = client.request(method, client.settings.base_url + other, **kwargs)
        probes.append((f"{method} {other}", retry))
        if retry.status is not None and not missing(retry):
            where = "without" if path.startswith(PREFIX + "/") else "with"
            found.append(
                f"{method} {path} answered {answer.status} but {method} {other} answered {retry.status}: "
                f"the routes are served {where} the {PREFIX} prefix"
            )
        else:
            found.append(f"{method} {path} answered {answer.status}: no such route (nor at {other})")
    return found, probes
