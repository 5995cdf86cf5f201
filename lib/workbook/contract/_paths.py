"""Do the dialect's routes exist? By probing each one, and in the OpenAPI document when published.

A route that answers 404/405 (on a route that takes an id, a 404 without a JSON body) is missing:
the workbook speaks a dialect the platform does not, so the check could not be made — never a
platform defect. The probe is retried with the `/api` prefix removed or added, so the seed's mistake
(`/text-to-image` where the server serves `/api/text-to-image`, or the reverse) is named with the
setting to change. A served route the published document does not list is a documentation finding.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..checks import CouldNotCheck, ErrorReason
from ._client import Exchange, StudioClient, reached
from ._dialects import StudioDialect
from ._spec import METHODS, normalise

PREFIX = "/api"
_PARAM = re.compile(r"\{[^}]+\}")


def document_problems(document: Mapping[str, Any], routes: Mapping[str, tuple[str, str]]) -> list[str]:
    """Served routes the OpenAPI document does not list (with a hint when it lists them under another prefix)."""
    listed = {normalise(path) for path in (document.get("paths") or {})}
    found = []
    for key, (method, path) in routes.items():
        if normalise(path) in listed:
            continue
        other = _other_prefix(path)
        hint = f" (it lists {other})" if normalise(other) in listed else ""
        found.append(f"documentation: {method} {path} ({key}) is served but not in the OpenAPI document{hint}")
    return found


def _other_prefix(path: str) -> str:
    return path[len(PREFIX) :] or "/" if path.startswith(PREFIX + "/") else PREFIX + path


@dataclass
class RouteProbes:
    """What probing the dialect's routes found: the answers, and the routes the platform lacks."""

    probes: list[tuple[str, Exchange]] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # route key -> why (METHOD PATH, setting, hint)

    def served(self, routes: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        return {key: route for key, route in routes.items() if key not in self.missing}

    def verdict(self) -> CouldNotCheck:
        return CouldNotCheck(
            ErrorReason.DIALECT,
            "; ".join(self.missing.values()),
            evidence={"probes": [f"{name} -> {answer.status or answer.error}" for name, answer in self.probes]},
        )


def _probe(client: StudioClient, method: str, template: str) -> tuple[str, Exchange]:
    """One request to a route: a fresh id for each path parameter, an empty JSON body for a POST."""
    path = _PARAM.sub(lambda _: str(uuid.uuid4()), template)
    kwargs: dict[str, Any] = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return path, client.send(method, path, **kwargs)


def unserved_operations(
    client: StudioClient, document: Mapping[str, Any], dialect: str = ""
) -> dict[tuple[str, str], str]:
    """(METHOD, path) -> why, for the documented operations the platform does not serve (one probe
    each, the rule of `reached`; credentials refused or no connection raise at once)."""
    found: dict[tuple[str, str], str] = {}
    for template, operations in (document.get("paths") or {}).items():
        if not isinstance(operations, Mapping):
            continue
        for method in (m.upper() for m in operations if m.lower() in METHODS):
            _, answer = _probe(client, method, template)
            try:
                reached(
                    answer, profile=client.profile, dialect=dialect, answers_about_ids=bool(_PARAM.search(template))
                )
            except CouldNotCheck as verdict:
                if verdict.reason is not ErrorReason.DIALECT:
                    raise
                found[(method, template)] = verdict.message
    return found


def probe_routes(dialect: StudioDialect) -> RouteProbes:
    """Probe each route (an empty JSON body for a POST, a fresh id for a templated path).

    Credentials refused or no connection raise at once (`StudioDialect.reached`); a missing route is
    collected, retried under the other prefix, and named with the parameter that sets it.
    """
    found = RouteProbes()
    for key, (method, template) in dialect.routes().items():
        path, answer = _probe(dialect.client, method, template)
        kwargs: dict[str, Any] = {"json": {}} if method == "POST" else {}
        found.probes.append((f"{method} {path}", answer))
        try:
            dialect.reached(key, answer)
            continue
        except CouldNotCheck as verdict:
            if verdict.reason is not ErrorReason.DIALECT:
                raise
            why = verdict.message
        other = _other_prefix(path)
        retry = dialect.client.send(method, other, **kwargs)
        found.probes.append((f"{method} {other}", retry))
        try:
            dialect.reached(key, retry)
            served = f"the platform serves it {_where(path)} the {PREFIX} prefix"
            why += f"; {method} {other} answered {retry.status}: {served}"
        except CouldNotCheck:
            why += f" (nor at {other})"
        found.missing[key] = why
    return found


def _where(path: str) -> str:
    return "without" if path.startswith(PREFIX + "/") else "with"
