"""Detecting papermill's injected-parameters cell from the kernel's input history."""

from __future__ import annotations

import nbformat
from papermill.parameterize import parameterize_notebook

from workbook.interactive import injected_names


def _papermill_injected_source(parameters: dict[str, object]) -> str:
    """The source papermill itself writes into the injected-parameters cell (its translator, not ours)."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("interactive: bool = True  # widgets\ncount: int = 1  # n")
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    notebook.metadata.kernelspec = {"name": "workbook", "language": "python", "display_name": "Python (workbook)"}
    notebook.metadata.papermill = {}
    parameterized = parameterize_notebook(notebook, parameters, kernel_name="workbook", language="python")
    (injected,) = [c for c in parameterized.cells if "injected-parameters" in c.metadata.get("tags", [])]
    return str(injected.source)


def test_names_papermill_injected_are_found_in_the_history() -> None:
    source = _papermill_injected_source({"interactive": True, "count": 7, "urls": ["http://a", "http://b"]})
    history = [
        "",
        "interactive: bool = True  # widgets\ncount: int = 1  # n",
        source,
        "workbook.interactive_params(...)",
    ]
    assert injected_names(history) == {"interactive", "count", "urls"}


def test_no_injected_cell_means_none() -> None:
    assert injected_names(["", "interactive: bool = True  # widgets", "print(1)"]) is None
    assert injected_names([]) is None


def test_a_cell_that_only_starts_like_papermill_is_not_taken_for_it() -> None:
    assert injected_names(["# Parameters\nx = 1\nprint(x)"]) is None  # not only assignments
    assert injected_names(["# Parameters\nx = ("]) is None  # not valid Python
    assert injected_names(["x = 1  # Parameters"]) is None
