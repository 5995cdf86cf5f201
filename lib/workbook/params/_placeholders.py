"""`${sandbox.<service>.<output>}` placeholders, substituted inside strings, lists and dicts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\$\{sandbox\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\}")


def placeholders_in(value: Any) -> list[tuple[str, str]]:
    """Every (service, output) a value refers to."""
    if isinstance(value, str):
        return [(match.group(1), match.group(2)) for match in PLACEHOLDER.finditer(value)]
    if isinstance(value, list):
        return [ref for item in value for ref in placeholders_in(item)]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in placeholders_in(item)]
    return []


def resolve_placeholders(value: Any, outputs: Mapping[str, Mapping[str, str]]) -> Any:
    """Substitute placeholders; raises KeyError naming the missing service or output."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda match: _lookup(outputs, match.group(1), match.group(2)), value)
    if isinstance(value, list):
        return [resolve_placeholders(item, outputs) for item in value]
    if isinstance(value, dict):
        return {key: resolve_placeholders(item, outputs) for key, item in value.items()}
    return value


def _lookup(outputs: Mapping[str, Mapping[str, str]], service: str, key: str) -> str:
    if service not in outputs:
        raise KeyError(f"${{sandbox.{service}.{key}}}: service {service!r} is not in this run's sandbox list")
    if key not in outputs[service]:
        known = ", ".join(sorted(outputs[service]))
        raise KeyError(f"${{sandbox.{service}.{key}}}: {service!r} publishes no {key!r}; it publishes: {known}")
    return outputs[service][key]
