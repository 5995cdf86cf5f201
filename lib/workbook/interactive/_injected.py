"""Did papermill inject parameters into this kernel? Read from the kernel's own input history.

papermill adds a cell tagged `injected-parameters` after the parameters cell; its source starts
with the comment `# Parameters` and holds only assignments (papermill/translators.py,
`PythonTranslator.codify`). The kernel has no other reliable signal (papermill #286, #481), but
IPython keeps every executed source in `In`, papermill runs included.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

PAPERMILL_COMMENT = "# Parameters"


def injected_names(inputs: Sequence[str]) -> frozenset[str] | None:
    """The names papermill's injected cell assigned, or None when no injected cell ran in this kernel."""
    for source in reversed(list(inputs)):
        if not isinstance(source, str):
            continue
        lines = source.strip().splitlines()
        if not lines or lines[0].strip() != PAPERMILL_COMMENT:
            continue
        names = _assigned_names(source)
        if names is not None:
            return names
    return None


def _assigned_names(source: str) -> frozenset[str] | None:
    """Names assigned by a cell made only of assignments; None for any other cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        else:
            return None
        for target in targets:
            if not isinstance(target, ast.Name):
                return None
            names.add(target.id)
    return frozenset(names)
