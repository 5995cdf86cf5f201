"""Download safety: every route with a path parameter, probed with path-traversal forms.

Routes come from the OpenAPI document (every GET path with `{...}`) or, without one, from the
dialect's file routes. Each route is first asked for a well-formed name nobody uploaded: a route
the platform does not serve (405, or a 404 that is not the platform's JSON "not found") is not
probed — a 404 from a missing route would prove nothing — and is named. Each path parameter in
turn gets each traversal form (`..` sent byte for byte, `%2e%2e`, encoded separators `%2f` and
`%5c`) while the last parameter names a file that may sit above the output folder
(`traversal_targets`); the other parameters get a well-formed value. Any 2xx with content is
content from outside the output folder: the check fails with the request that got it. When the
sandbox says where its output folder is, the bytes are also matched against the files above it
(independent evidence of where they came from).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks import CouldNotCheck, ErrorReason
from ._client import Exchange, StudioClient, reached

_PARAM = re.compile(r"\{([^}]+)\}")
# (label, how the traversal segment is written into the request target)
FORMS: tuple[tuple[str, str], ...] = (
    ("literal ../", ".."),
    ("%2e%2e/", "%2e%2e"),
    ("..%2f (encoded slash)", "..%2f.."),
    ("%2e%2e%2f", "%2e%2e%2f%2e%2e"),
    ("..%5c (encoded backslash)", "..%5c.."),
)


@dataclass(frozen=True)
class Probe:
    route: str
    form: str
    target: str
    answer: Exchange
    matched: str = ""  # the file above the output folder whose bytes it returned (sandbox only)


@dataclass
class DownloadSafety:
    routes: list[str] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    unserved: dict[str, str] = field(default_factory=dict)  # route -> why it was not probed

    @property
    def leaks(self) -> list[Probe]:
        return [p for p in self.probes if p.answer.ok and p.answer.body]

    @property
    def crashes(self) -> list[Probe]:
        return [p for p in self.probes if p.answer.status is not None and p.answer.status >= 500]

    def problems(self) -> tuple[list[str], list[str]]:
        """(content served from outside the output folder, handlers that crashed): two defects."""
        leaked, crashed = [], []
        for probe in self.leaks:
            head = probe.answer.body[:40].decode("utf-8", "replace").replace("\n", " ")
            where = f"; identical to {probe.matched}" if probe.matched else ""
            leaked.append(
                f"{probe.route}: GET {probe.answer.url} answered {probe.answer.status} with "
                f"{len(probe.answer.body)} bytes ({head!r}…): content from outside the output folder{where}"
            )
        for probe in self.crashes:
            crashed.append(f"{probe.route}: GET {probe.answer.url} crashed the handler: {probe.answer.brief()}")
        return leaked, crashed


def path_routes(document: Mapping[str, Any] | None, fallback: Sequence[str]) -> list[str]:
    """GET routes with path parameters: from the OpenAPI document when given, else the dialect's list."""
    if document:
        found = [
            path
            for path, operations in (document.get("paths") or {}).items()
            if _PARAM.search(path) and isinstance(operations, Mapping) and "get" in operations
        ]
        if found:
            return found
    return [path for path in fallback if _PARAM.search(path)]


def targets_for(route: str, form: str, targets: Iterable[str]) -> list[str]:
    """Request targets for one route and form: each parameter in turn made the traversal."""
    names = _PARAM.findall(route)
    out = []
    for index in range(len(names)):
        if index == len(names) - 1:  # the bare form as the last segment (a folder where a file is expected)
            values = {name: _plain_value(name) for name in names}
            values[names[index]] = form
            out.append(_PARAM.sub(lambda m, v=values: v[m.group(1)], route))  # type: ignore[misc]
        for target in targets:
            values = {name: _plain_value(name) for name in names}
            if index == len(names) - 1:
                values[names[index]] = form + "%2f" + target.replace("/", "%2f")
            else:
                values[names[index]] = form
                values[names[-1]] = target.replace("/", "%2f")
            out.append(_PARAM.sub(lambda m, v=values: v[m.group(1)], route))  # type: ignore[misc]
    return list(dict.fromkeys(out))


def _plain_value(name: str) -> str:
    return str(uuid.UUID(int=0)) if "id" in name.lower() else "model.stl"


def unserved_routes(client: StudioClient, routes: Sequence[str], dialect: str = "") -> dict[str, str]:
    """Route -> why it is not served, from one well-formed request each (credentials refused or no
    connection raise `CouldNotCheck` at once)."""
    found: dict[str, str] = {}
    for route in routes:
        target = _PARAM.sub(lambda m: _plain_value(m.group(1)), route)
        answer = client.send("GET", target)
        try:
            reached(answer, profile=client.profile, dialect=dialect, answers_about_ids=True)
        except CouldNotCheck as verdict:
            if verdict.reason is not ErrorReason.DIALECT:
                raise
            found[route] = verdict.message
    return found


def probe_downloads(
    client: StudioClient,
    routes: Sequence[str],
    targets: Sequence[str],
    *,
    output_dir: str = "",
    forms: Sequence[tuple[str, str]] = FORMS,
    dialect: str = "",
) -> DownloadSafety:
    """Every traversal form on every served route; `CouldNotCheck(dialect)` when none is served."""
    result = DownloadSafety(routes=list(routes), unserved=unserved_routes(client, routes, dialect))
    if routes and len(result.unserved) == len(routes):
        raise CouldNotCheck(
            ErrorReason.DIALECT,
            "no route with a path parameter is served, so none could be probed: " + "; ".join(result.unserved.values()),
            evidence={"routes": list(routes)},
        )
    above = _files_above(Path(output_dir)) if output_dir else {}
    for route in routes:
        if route in result.unserved:
            continue
        for label, form in forms:
            for target in targets_for(route, form, targets):
                answer = client.raw_target("GET", target)
                matched = above.get(hashlib.sha256(answer.body).hexdigest(), "") if answer.ok else ""
                result.probes.append(Probe(route, label, target, answer, matched))
    return result


def _files_above(output_dir: Path, limit: int = 500) -> dict[str, str]:
    """sha256 -> path of the files in the folder above the output folder (not inside it)."""
    parent = output_dir.resolve().parent
    found: dict[str, str] = {}
    for path in sorted(parent.rglob("*"))[:limit]:
        if path.is_file() and not path.resolve().is_relative_to(output_dir.resolve()):
            found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), str(path))
    return found
