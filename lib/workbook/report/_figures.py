"""Numbers out of checks' measured values: flattening, and the declared key figures."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from ..checks import CheckResult


def numeric_values(measured: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, float]]:
    """Every finite number in `measured`, nested dicts flattened with dots (`latency.p99_ms`).

    Booleans are not numbers here, and lists are left out (they are samples, not one figure).
    """
    for key, value in measured.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            if math.isfinite(value):
                yield name, float(value)
        elif isinstance(value, Mapping):
            yield from numeric_values(value, prefix=f"{name}.")


def key_figures(check: CheckResult) -> dict[str, float]:
    """The check's declared key figures that it measured (a declared dict figure expands to its numbers)."""
    values = dict(numeric_values(check.measured))
    found: dict[str, float] = {}
    for declared in check.figures:
        if declared in values:
            found[declared] = values[declared]
        else:
            found.update({name: value for name, value in values.items() if name.startswith(declared + ".")})
    return found
