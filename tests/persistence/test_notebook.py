"""Notebook 10 follows the notebook conventions and runs headless against the sandbox."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest

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
def test_notebook_passes_headless_on_the_sandbox(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    s3, backend = sandbox.outputs["s3"], sandbox.outputs["refbackend"]
    monkeypatch.setenv("WORKBOOK_EVIDENCE_DIR", str(tmp_path / "evidence"))
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "out.ipynb"),
        parameters={
            "interactive": False,
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
        kernel_name="workbook",
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )
    results = json.loads((tmp_path / "evidence" / "results.json").read_text())
    assert {check["id"]: check["status"] for check in results["checks"]} == dict.fromkeys(CHECKS, "pass")
    output = (tmp_path / "out.ipynb").read_text()
    for secret in sandbox.secrets.values():
        assert secret not in output
