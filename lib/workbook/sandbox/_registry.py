"""Which stand-ins exist, in start order (a service may use the outputs of those before it)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ._spec import ServiceContext, ServiceSpec

SERVICES: dict[str, str] = {
    "s3": "workbook.sandbox.seaweed:service",
    "refbackend": "workbook.sandbox.refbackend:service",
    "discord": "workbook.sandbox.discord:service",
    "brain": "workbook.sandbox.brain:service",
}

# Services a stand-in cannot run without (started first, even if no notebook names them).
DEPENDS_ON: dict[str, tuple[str, ...]] = {"refbackend": ("s3",)}


def with_dependencies(names: list[str]) -> list[str]:
    needed = set(names)
    for name in names:
        needed.update(DEPENDS_ON.get(name, ()))
    return in_start_order(list(needed))


def service_factory(name: str) -> Callable[[ServiceContext], ServiceSpec]:
    if name not in SERVICES:
        raise KeyError(f"unknown sandbox service {name!r}; known: {', '.join(SERVICES)}")
    module_name, _, attribute = SERVICES[name].partition(":")
    factory: Callable[[ServiceContext], ServiceSpec] = getattr(importlib.import_module(module_name), attribute)
    return factory


def in_start_order(names: list[str]) -> list[str]:
    return [name for name in SERVICES if name in names]
