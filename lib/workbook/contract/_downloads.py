"""Download safety: every route with a path parameter, probed with path-traversal forms.

Routes come from the OpenAPI document (every GET path with `{...}`) or, without one, from the
dialect's file routes. Each path parameter in turn gets each traversal form (`..` sent byte for
byte, `%2e%2e`, encoded separators `%2f` and `%5c`) while the last parameter names a file that
may sit above the output folder (`traversal_targets`); the other parameters get a well-formed
value. Any 2xx with content is content from outside the output folder: the check fails with the
request that got it. When the sandbox says where its output folder is, the bytes are also matched
against the files above it (independent evidence of where they came from).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._client import Exchange, StudioClient

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

    @property
    def leaks(self) -> list[Probe]:
        return [p for p in self.probes if p.answer.ok and p.answer.body]

    @property
    def crashes(self) -> list[Probe]:
        return [p for p in self.probes if p.answer.status is not None and p.answer.status >= 500]

    def problems(self) -> list[str]:
        found = []
        for probe in self.leaks:
            head = probe.answer.body[:40].decode("utf-8", "replace").replace("\n", " ")
            where = f"; identical to {probe.matched}" if probe.matched else ""
            found.append(
                f"{probe.route}: GET {probe.answer.url} answered {probe.answer.status} with "
                f"{len(probe.answer.body)} bytes ({head!r}…): content from outside the output folder{where}"
            )
        for probe in self.crashes:
            found.append(f"{probe.route}: GET {probe.answer.url} crashed the handler: {probe.answer.brief()}")
        return found


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


def probe_downloads(
    client: StudioClient,
    routes: Sequence[str],
    targets: Sequence[str],
    *,
    output_dir: str = "",
    forms: Sequence[tuple[str, str]] = FORMS,
) -> DownloadSafety:
    result = DownloadSafety(routes=list(routes))
    above = _files_above(Path(output_dir)) if output_dir else {}
    for route in routes:
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
