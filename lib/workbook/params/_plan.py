"""The run plan: what a params file asks for, validated, as frozen values.

A plan is built once by `load_plan` and never changed in place: `resolved(outputs)` and
`replace(...)` return new plans, so what the manifest records as "params as passed" is exactly
what was loaded, and what a kernel receives is exactly what was resolved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParamsError
from ._placeholders import resolve_placeholders
from ._schema import NotebookParameter


@dataclass(frozen=True)
class NotebookPlan:
    # The entry's name in the bundle: the notebook's name, or `<notebook>.<key>=<value>,...` for a matrix run.
    name: str
    path: Path
    schema: Mapping[str, NotebookParameter]
    # Never mutated: `RunPlan.resolved` builds new dicts.
    parameters: Mapping[str, Any]
    notebook: str = ""
    # The values this entry takes from its section's `matrix:` (empty for a plain run).
    matrix: Mapping[str, Any] = field(default_factory=dict)
    # Runs alone (the notebook's metadata says so: it measures performance).
    exclusive: bool = False

    def __post_init__(self) -> None:
        if not self.notebook:
            object.__setattr__(self, "notebook", self.path.stem)


@dataclass(frozen=True)
class RunPlan:
    file: Path
    profile: str
    sandbox: tuple[str, ...]
    cell_timeout_s: float
    notebooks: tuple[NotebookPlan, ...]
    time_scale: float = 1.0
    overrides: Mapping[str, Any] = field(default_factory=dict)
    # Fault switches turned on at sandbox start: service -> switch -> value (from --fault).
    faults: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def params_as_passed(self) -> dict[str, dict[str, Any]]:
        return {notebook.name: dict(notebook.parameters) for notebook in self.notebooks}

    def replace(self, **changes: Any) -> RunPlan:
        return dataclasses.replace(self, **changes)

    def resolved(self, outputs: Mapping[str, Mapping[str, str]]) -> RunPlan:
        """A new plan with every `${sandbox.<service>.<output>}` substituted; raises ParamsError."""
        problems: list[str] = []
        notebooks = []
        for notebook in self.notebooks:
            values: dict[str, Any] = {}
            for key, value in notebook.parameters.items():
                try:
                    values[key] = resolve_placeholders(value, outputs)
                except KeyError as error:
                    problems.append(
                        str(ParamsError(str(error.args[0]), file=self.file, notebook=notebook.name, key=key))
                    )
            notebooks.append(dataclasses.replace(notebook, parameters=values))
        if problems:
            raise ParamsError("\n".join(problems))
        return dataclasses.replace(self, notebooks=tuple(notebooks))
