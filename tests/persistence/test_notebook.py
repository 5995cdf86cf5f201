"""Notebook 10 follows the notebook conventions and runs headless against the sandbox."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from wb_testing import run_notebook
from workbook import repo_root
from workbook.persistence import CHECKS
from workbook.sandbox import Sandbox

from .conftest import sandbox_values

NOTEBOOK = repo_root() / "notebooks" / "10_persistence.ipynb"


def test_notebook_is_committed_clean_and_thin() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "workbook"
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells[0].metadata.get("tags") == ["parameters"]
    assert "interactive: bool = True" in code_cells[0].source
    for cell in code_cells:
        assert not cell.get("outputs") and cell.get("execution_count") is None
        tree = ast.parse(cell.source)
        assert not [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.ClassDef)]
    source = "\n".join(cell.source for cell in code_cells)
    for check_id in CHECKS:
        assert f'checks.run("{check_id}")' in source
    assert code_cells[-1].source.strip() == "checks.finish()"
    # Settings come from the parameters cell as they are; config/debug is shown only redacted.
    assert "checks.setup(p.PersistenceSettings.from_namespace, globals())" in source
    assert "run.config_view()" in source and "server_config" not in source
    assert "keep_figure(p.plot_benchmark(" in source


@pytest.mark.notebook
def test_notebook_passes_headless_on_the_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    checks = run_notebook("10_persistence", {**sandbox_values(sandbox), "benchmark_counts": [100]}, tmp_path)
    assert {check_id: check["status"] for check_id, check in checks.items()} == dict.fromkeys(CHECKS, "pass")
    output = (tmp_path / "10_persistence.ipynb").read_text()
    for secret in sandbox.secrets.values():
        assert secret not in output
