"""Matrix runs: a notebook section's `matrix:` expands into one run per combination of values.

    30_perf_probes:
      matrix:
        arrival_rate_rps: [100, 200, 400]

gives three entries, `30_perf_probes.arrival_rate_rps=100` ..., each with its own folder in the
bundle and its own row in the index's matrix table. Names are built from the values (scalars as
they are, anything else by position, `v1`, `v2`, ...) with only URL- and file-safe characters.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

MATRIX_KEY = "matrix"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.+-]+")


def expand_matrix(notebook: str, matrix: Any) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """[(entry name, {key: value})] for every combination, or problems describing a bad matrix."""
    if matrix is None:
        return [(notebook, {})], []
    if not isinstance(matrix, Mapping) or not matrix:
        return [], [f"matrix: expected a mapping of parameter -> list of values, got {matrix!r}"]
    problems = [
        f"matrix.{key}: expected a non-empty list of values, got {values!r}"
        for key, values in matrix.items()
        if not isinstance(values, list) or not values
    ]
    if problems:
        return [], problems
    keys = list(matrix)
    combos = []
    for picks in itertools.product(*(range(len(matrix[key])) for key in keys)):
        values = {key: matrix[key][index] for key, index in zip(keys, picks, strict=True)}
        label = ",".join(f"{key}={_label(matrix[key][index], index)}" for key, index in zip(keys, picks, strict=True))
        combos.append((f"{notebook}.{label}", values))
    names = [name for name, _ in combos]
    if len(set(names)) != len(names):
        return [], [f"matrix: two combinations get the same name ({names}); make the values distinct"]
    return combos, []


def _label(value: Any, index: int) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | str) and str(value):
        return _UNSAFE.sub("-", str(value)).strip("-")[:40] or f"v{index + 1}"
    return f"v{index + 1}"
