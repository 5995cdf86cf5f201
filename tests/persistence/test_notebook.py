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


@pytest.mark.notebook
def test_notebook_passes_headless_on_the_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    s3, backend = sandbox.outputs["s3"], sandbox.outputs["refbackend"]
    checks = run_notebook(
        "10_persistence",
        {
            "api_base_url": backend["url"],
            "local_api_base_url": backend["local_url"],
            "admin_url": backend["admin_url"],
            "storage_endpoint": s3["endpoint"],
            "storage_bucket": s3["bucket"],
            "storage_region": s3["region"],
            "s3_access_key_env": "SANDBOX_S3_ACCESS_KEY",
            "s3_secret_key_env": "SANDBOX_S3_SECRET_KEY",
            "expected_expiry_s": 3,
            "num_images": 2,
            "service_import": "workbook.sandbox.refbackend:AssetPersistenceService",
            "benchmark_counts": [100],
        },
        tmp_path,
    )
    assert {check_id: check["status"] for check_id, check in checks.items()} == dict.fromkeys(CHECKS, "pass")
    output = (tmp_path / "10_persistence.ipynb").read_text()
    for secret in sandbox.secrets.values():
        assert secret not in output
