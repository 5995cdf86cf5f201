"""A notebook's parameter schema, read from its `parameters` cell with papermill's inspector."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

# Names an annotation in a parameters cell may use; anything else is rejected as unsupported.
_TYPE_NAMESPACE: dict[str, Any] = {
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "list": list,
    "dict": dict,
    "None": None,
    "Any": typing.Any,
    "Optional": typing.Optional,
}


@dataclass(frozen=True)
class NotebookParameter:
    name: str
    type_name: str
    default: str
    help: str

    @property
    def required(self) -> bool:
        """A `None` default under a type that does not admit None means the value must be given."""
        return self.default == "None" and not self.accepts(None)

    def accepts(self, value: object) -> bool:
        return self.problem(value) is None

    def problem(self, value: object) -> str | None:
        """None if `value` fits the annotation, else a short statement of what was expected."""
        adapter = _adapter(self.type_name)
        if adapter is None:
            return None
        try:
            adapter.validate_python(value, strict=True)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            return f"expected {self.type_name}" + (f" (at {where}: {first['msg']})" if where else "")
        return None


@cache
def _adapter(type_name: str) -> TypeAdapter[Any] | None:
    if type_name in ("None", ""):
        return None
    try:
        annotation = eval(type_name, {"__builtins__": {}}, _TYPE_NAMESPACE)
    except Exception as error:
        raise ValueError(f"unsupported parameter annotation {type_name!r}: {error}") from error
    return TypeAdapter(annotation)


def notebook_parameters(path: Path) -> dict[str, NotebookParameter]:
    """The parameters declared in the notebook's `parameters` cell, in order."""
    import papermill

    inspected = papermill.inspect_notebook(str(path))
    return {
        name: NotebookParameter(
            name=name,
            type_name=str(info.get("inferred_type_name") or "None"),
            default=str(info.get("default")),
            help=str(info.get("help") or ""),
        )
        for name, info in inspected.items()
    }


def notebook_is_exclusive(path: Path) -> bool:
    """True if the notebook's metadata says it must run alone (`"workbook": {"exclusive": true}`):
    a notebook that measures performance must not share the machine with other notebooks."""
    import nbformat

    metadata = nbformat.read(path, as_version=4).metadata
    return bool(metadata.get("workbook", {}).get("exclusive", False))
