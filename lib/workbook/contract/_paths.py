"""Do the dialect's routes exist? In the OpenAPI document (when published) and by probing.

A probe that gets 404/405 also tries the same path with the `/api` prefix removed or added, so the
seed's mistake (tests calling `/text-to-image` where the server serves `/api/text-to-image`, or
the reverse) is named rather than reported as a bare 404. A templated route (a job id in the
path) answering 404 with a JSON body exists: it is saying "no such job".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from ._client import Exchange
from ._dialects import StudioDialect
from ._spec import normalise

PREFIX = "/api"
_PARAM = re.compile(r"\{[^}]+\}")


def document_problems(document: Mapping[str, Any], routes: Mapping[str, tuple[str, str]]) -> list[str]:
    """The dialect's routes the OpenAPI document does not list (with a hint when it lists them under another prefix)."""
    listed = {normalise(path) for path in (document.get("paths") or {})}
    found = []
    for key, (method, path) in routes.items():
        if normalise(path) in listed:
            continue
        other = _other_prefix(path)
        hint = f"; it lists {other}" if normalise(other) in listed else ""
        found.append(f"{key}: {method} {path} is not in the OpenAPI document{hint}")
    return found


def _other_prefix(path: str) -> str:
    return path[len(PREFIX) :] or "/" if path.startswith(PREFIX + "/") else PREFIX + path


def missing(answer: Exchange, templated: bool) -> bool:
    if answer.status == 405:
        return True
    return answer.status == 404 and not (templated and isinstance(answer.json(), dict))


def probe_problems(dialect: StudioDialect) -> tuple[list[str], list[tuple[str, Exchange]]]:
    """Probe each route; a 404/405 is retried under the other prefix to name a prefix mistake."""
    found: list[str] = []
    probes: list[tuple[str, Exchange]] = []
    for key, (method, template) in dialect.routes().items():
        templated = bool(_PARAM.search(template))
        path = _PARAM.sub(str(uuid.uuid4()), template)
        kwargs: dict[str, Any] = {"json": {}} if method == "POST" else {}
        answer = dialect.client.send(method, path, **kwargs)
        probes.append((f"{method} {path}", answer))
        if answer.status is None:
            found.append(f"{key}: {method} {path}: no answer ({answer.error})")
            continue
        if not missing(answer, templated):
            continue
        other = _other_prefix(path)
        retry = dialect.client.send(method, other, **kwargs)
        probes.append((f"{method} {other}", retry))
        if retry.status is not None and not missing(retry, templated):
            where = "without" if path.startswith(PREFIX + "/") else "with"
            found.append(
                f"{key}: {method} {path} answered {answer.status} but {method} {other} answered {retry.status}: "
                f"the routes are served {where} the {PREFIX} prefix"
            )
        else:
            found.append(f"{key}: {method} {path} answered {answer.status}: no such route (nor at {other})")
    return found, probes
