"""Params: load a params YAML file, validate it against each notebook's parameters cell, resolve
`${sandbox.<service>.<output>}` placeholders. Everything here runs before any kernel starts.
"""

from ._load import RunPlan, load_plan, parse_override
from ._placeholders import resolve_placeholders
from ._schema import NotebookParameter, notebook_parameters

__all__ = [
    "NotebookParameter",
    "RunPlan",
    "load_plan",
    "notebook_parameters",
    "parse_override",
    "resolve_placeholders",
]
