"""Params: load a params YAML file, validate it against each notebook's parameters cell, resolve
`${sandbox.<service>.<output>}` placeholders. Everything here runs before any kernel starts, and
produces frozen `RunPlan`/`NotebookPlan` values.
"""

from ._load import load_plan, parse_fault, parse_override
from ._matrix import expand_matrix
from ._placeholders import placeholders_in, resolve_placeholders
from ._plan import NotebookPlan, RunPlan
from ._schema import NotebookParameter, notebook_is_exclusive, notebook_parameters

__all__ = [
    "NotebookParameter",
    "NotebookPlan",
    "RunPlan",
    "expand_matrix",
    "load_plan",
    "notebook_is_exclusive",
    "notebook_parameters",
    "parse_fault",
    "parse_override",
    "placeholders_in",
    "resolve_placeholders",
]
