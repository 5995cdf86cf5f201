"""interactive_params in a real kernel: bound in the lab, inert when headless or when papermill injected values.

The fixture notebook follows the workbook pattern (parameters cell, then the one call) against a
fixture params profile and a sandbox state file whose values the kernel can only get from the binding.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from workbook.runner import execute_with_papermill

pytestmark = pytest.mark.notebook

SECRET = "sekrit-sandbox-value-9f8e7d"
PARAMETERS = """interactive: bool = True  # show widgets; the runner sets False
api_url: str = "http://127.0.0.1:1"  # service under test
count: int = 1  # items to process"""
CELLS = [
    """from pathlib import Path
import os
import workbook

binding = workbook.interactive_params(
    globals(), profile="lab", params_dir=Path(PARAMS_DIR), notebooks_dir=Path(NB_DIR)
)""",
    """print("values:", api_url, count, os.environ.get("WB_FIXTURE_TOKEN") == SECRET_VALUE, binding is not None)""",
    """from workbook import Checks, Progress, log

checks = Checks("nb_lab", {"ok": "passes", "bad": "fails"}, results_dir=Path(RESULTS_DIR))
with Progress("items", total=count) as progress:
    for _ in range(count):
        progress.advance()
log("halfway there")
with checks.run("ok") as c:
    c.measure(count=count)
with checks.run("bad") as c:
    c.fail("wrong on purpose")""",
    "checks.finish()",
]


@pytest.fixture
def lab_fixture(tmp_path: Path) -> dict[str, Path]:
    notebooks, params, sandbox = tmp_path / "notebooks", tmp_path / "params", tmp_path / "sandbox"
    for folder in (notebooks, params, sandbox):
        folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    header = nbformat.v4.new_code_cell(
        f"PARAMS_DIR, NB_DIR, RESULTS_DIR = {str(params)!r}, {str(notebooks)!r}, {str(tmp_path / 'results')!r}\n"
        f"SECRET_VALUE = {SECRET!r}"
    )
    first = nbformat.v4.new_code_cell(PARAMETERS)
    first.metadata["tags"] = ["parameters"]
    notebook.cells = [first, header, *(nbformat.v4.new_code_cell(source) for source in CELLS)]
    notebook.metadata.kernelspec = {"name": "workbook", "language": "python", "display_name": "Python (workbook)"}
    nbformat.write(notebook, notebooks / "nb_lab.ipynb")
    (params / "lab.yaml").write_text(
        yaml.safe_dump(
            {
                "profile": "lab",
                "sandbox": ["s3"],
                "notebooks": {"nb_lab": {"api_url": "${sandbox.s3.endpoint}/api", "count": 3}},
            }
        )
    )
    # A live process stands for the stand-in: the binding only reads the state file and checks the pid.
    state = {
        "started_at": "2026-01-01T00:00:00+00:00",
        "time_scale": 1.0,
        "services": {"s3": {"pid": os.getpid(), "outputs": {"endpoint": "http://127.0.0.1:9999"}}},
    }
    (sandbox / "state.json").write_text(json.dumps(state))
    (sandbox / "sandbox.env").write_text(f"WB_FIXTURE_TOKEN={SECRET}\n")
    return {"notebook": notebooks / "nb_lab.ipynb", "sandbox": sandbox, "results": tmp_path / "results"}


def run(fixture: dict[str, Path], parameters: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    output = tmp_path / "out.ipynb"
    env = {"WORKBOOK_SANDBOX_DIR": str(fixture["sandbox"]), "JPY_SESSION_NAME": "nb_lab.ipynb"}
    execute_with_papermill(fixture["notebook"], output, parameters=parameters, env=env, cell_timeout_s=120)
    executed = nbformat.read(output, as_version=4)
    return [output for cell in executed.cells if cell.cell_type == "code" for output in cell.outputs]


def streams(outputs: list[dict[str, Any]]) -> str:
    return "".join(output.get("text", "") for output in outputs if output["output_type"] == "stream")


def html_outputs(outputs: list[dict[str, Any]]) -> str:
    return "".join(str(output.get("data", {}).get("text/html", "")) for output in outputs)


def widget_count(outputs: list[dict[str, Any]]) -> int:
    return sum("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in outputs)


def test_in_the_lab_values_come_from_the_sandbox_and_progress_is_widgets(
    lab_fixture: dict[str, Path], tmp_path: Path
) -> None:
    outputs = run(lab_fixture, {}, tmp_path)  # nothing injected: what a person's kernel looks like
    text = streams(outputs)
    assert "values: http://127.0.0.1:9999/api 3 True True" in text
    assert "[progress]" not in text and "[check]" not in text, text
    # The binding panel, the progress bar and the log box are widgets; each check is a row as it finished.
    assert widget_count(outputs) >= 3
    rows = html_outputs(outputs)
    assert "workbook-check-pass" in rows and "workbook-check-fail" in rows and "wrong on purpose" in rows
    assert SECRET not in json.dumps(outputs)
    # The evidence is what headless runs write.
    results = json.loads((lab_fixture["results"] / "results.json").read_text())
    assert {check["id"]: check["status"] for check in results["checks"]} == {"ok": "pass", "bad": "fail"}


def test_headless_nothing_changes(lab_fixture: dict[str, Path], tmp_path: Path) -> None:
    outputs = run(lab_fixture, {"interactive": False}, tmp_path)
    text = streams(outputs)
    assert "values: http://127.0.0.1:1 1 False False" in text
    assert "[progress] items 0/1" in text and "[progress] halfway there" in text
    assert "[check] PASS  ok: count=1" in text and "[check] FAIL  bad: wrong on purpose" in text
    assert widget_count(outputs) == 0 and "workbook-check" not in html_outputs(outputs)


def test_values_papermill_injected_win(lab_fixture: dict[str, Path], tmp_path: Path) -> None:
    outputs = run(lab_fixture, {"interactive": True, "count": 7}, tmp_path)
    text = streams(outputs)
    # Injected count kept, nothing else taken from the sandbox, no credentials exported, plain lines.
    assert "values: http://127.0.0.1:1 7 False False" in text
    assert "[check] PASS  ok: count=7" in text and widget_count(outputs) == 0
