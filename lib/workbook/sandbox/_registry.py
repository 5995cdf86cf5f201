"""Which stand-ins exist, in start order (a service may use the outputs of those before it), and
which of them must be running before another starts (`DEPENDS_ON`, grouped by `start_waves`).

Each stand-in is a module or package exporting `service(ctx) -> ServiceSpec` (what to start) and
`faults(initial) -> FaultSwitches` (its switches, validating names and values: the same
constructor its server uses, so `--fault` is checked by the stand-in's own rule before anything
starts).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from ._faults import FaultSwitches
from ._spec import ServiceContext, ServiceSpec

SERVICES: dict[str, str] = {
    "s3": "workbook.sandbox.seaweed",
    "refbackend": "workbook.sandbox.refbackend",
    "discord": "workbook.sandbox.discord",
    "brain": "workbook.sandbox.brain",
    "studio": "workbook.sandbox.studio",
    # Task pipeline (notebook 50): real Redis, the fault proxy in front of it, a mock upstream, the task service.
    "redis": "workbook.sandbox.redisd",
    "faultproxy": "workbook.sandbox.faultproxy",
    "upstream": "workbook.sandbox.upstream",
    "repackager": "workbook.sandbox.repackager",  # seed 003: the plugin repackaging platform
    # Cross-service flow (notebook 60): the movie platform's character and story services.
    "characters": "workbook.sandbox.characters",
    "story": "workbook.sandbox.story",
    # The movie platform's task service around the brain (notebook 60): FastAPI + Celery on Redis.
    "taskservice": "workbook.sandbox.taskservice",
}

# Services a stand-in cannot run without (started first, even if no notebook names them).
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "refbackend": ("s3",),
    "faultproxy": ("redis",),
    "repackager": ("redis", "faultproxy", "upstream"),
    "characters": ("brain",),
    "story": ("brain", "characters"),
    "taskservice": ("redis", "brain"),
}


def depends_on(name: str) -> tuple[str, ...]:
    return DEPENDS_ON.get(name, ())


def with_dependencies(names: list[str]) -> list[str]:
    needed = set(names)
    pending = list(names)
    while pending:
        for dependency in depends_on(pending.pop()):
            if dependency not in needed:
                needed.add(dependency)
                pending.append(dependency)
    return in_start_order(list(needed))


def in_start_order(names: list[str]) -> list[str]:
    return [name for name in SERVICES if name in names]


def start_waves(names: list[str]) -> list[list[str]]:
    """`names` in groups that may start together: each service's dependencies (those among `names`)
    are in an earlier group. Stopping goes through the groups the other way round."""
    pending = in_start_order(names)
    waves: list[list[str]] = []
    while pending:
        wave = [name for name in pending if not set(depends_on(name)) & set(pending)]
        if not wave:
            raise ValueError(f"sandbox services depend on each other in a circle: {', '.join(pending)}")
        waves.append(wave)
        pending = [name for name in pending if name not in wave]
    return waves


def service_factory(name: str) -> Callable[[ServiceContext], ServiceSpec]:
    factory: Callable[[ServiceContext], ServiceSpec] = _module(name).service
    return factory


def fault_switches(name: str, initial: Mapping[str, Any] | None = None) -> FaultSwitches:
    """The stand-in's switches with `initial` set; raises ValueError for unknown names or bad values."""
    factory: Callable[[Mapping[str, Any]], FaultSwitches] = _module(name).faults
    return factory(dict(initial or {}))


def fault_switch_names(name: str) -> frozenset[str]:
    return fault_switches(name).known


def validate_faults(name: str, values: Mapping[str, Any]) -> None:
    """Raise ValueError (naming the switch and what it accepts) unless `name` accepts `values`."""
    fault_switches(name, values)


def _module(name: str) -> Any:
    """The stand-in's module (an entry may also be `module:object`, an object with the same two names)."""
    if name not in SERVICES:
        raise KeyError(f"unknown sandbox service {name!r}; known: {', '.join(SERVICES)}")
    module_name, _, attribute = SERVICES[name].partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module
