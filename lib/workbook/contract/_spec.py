"""The platform's published contract: its OpenAPI document (from a URL or a file in its repository),
and what a case row may accept according to it.

A row declares which answers would be plausible for its case (e.g. 400, 415 or 422 for a file that
is not an image) and a default; when the document lists responses for the operation, the row
accepts the documented ones among the plausible (ORFEAS's document lists 400 and 415 for an upload),
and says which contract line it used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

_TEMPLATE = re.compile(r"\{[^}]*\}")
# The operation keys of an OpenAPI path item.
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def load_document(location: str, timeout_s: float, http: httpx.Client | None = None) -> dict[str, Any]:
    """The OpenAPI document at an http(s) URL (fetched with `http`, the studio's own client, when
    given: a spec behind the same credentials) or in a local JSON/YAML file."""
    if location.startswith(("http://", "https://")):
        response = http.get(location, timeout=timeout_s) if http is not None else httpx.get(location, timeout=timeout_s)
        response.raise_for_status()
        text = response.text
    else:
        text = Path(location).expanduser().read_text(encoding="utf-8")
    document = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    if not isinstance(document, dict) or "paths" not in document:
        raise ValueError(f"{location} is not an OpenAPI document (no 'paths')")
    return document


def normalise(path: str) -> str:
    """`/api/jobs/{job_id}` and `/api/jobs/{id}` compare equal."""
    return _TEMPLATE.sub("{}", path.rstrip("/") or "/")


def operation(document: Mapping[str, Any] | None, method: str, path: str) -> tuple[str, Mapping[str, Any]] | None:
    """(the document's own path template, the operation) for METHOD path, or None."""
    if not document:
        return None
    wanted = normalise(path)
    for listed, operations in (document.get("paths") or {}).items():
        if normalise(listed) == wanted and isinstance(operations, Mapping):
            found = operations.get(method.lower())
            if isinstance(found, Mapping):
                return listed, found
    return None


def documented_statuses(document: Mapping[str, Any] | None, method: str, path: str) -> list[int] | None:
    found = operation(document, method, path)
    if found is None:
        return None
    statuses = []
    for key in found[1].get("responses") or {}:
        text = str(key)
        if text.isdigit():
            statuses.append(int(text))
        elif re.fullmatch(r"[1-5]XX", text.upper()):
            base = int(text[0]) * 100
            statuses.extend(range(base, base + 100))
    return sorted(statuses)


@dataclass(frozen=True)
class Expectation:
    """The answers a row accepts and where that came from (a contract line or the default)."""

    statuses: tuple[int, ...]
    source: str

    def accepts(self, status: int | None) -> bool:
        return status in self.statuses

    def text(self) -> str:
        return " or ".join(map(str, self.statuses))


def expectation(
    document: Mapping[str, Any] | None, method: str, path: str, *, plausible: Iterable[int], default: Iterable[int]
) -> Expectation:
    """Documented ∩ plausible when the document lists any of them for METHOD path, else the default."""
    documented = documented_statuses(document, method, path)
    default_set = tuple(sorted(set(default)))
    if documented is None:
        why = "no OpenAPI document" if not document else f"{method} {path} not in the OpenAPI document"
        return Expectation(default_set, f"default ({why})")
    chosen = tuple(sorted(set(documented) & set(plausible)))
    listed = operation(document, method, path)
    where = f"{method} {listed[0] if listed else path}"
    if not chosen:
        return Expectation(default_set, f"default ({where} documents none of {sorted(set(plausible))})")
    return Expectation(chosen, f"openapi: {where} responses {', '.join(map(str, chosen))}")
