"""docs/PLATFORMS.md stays true: its worked example runs against the sandbox's ORFEAS replica, its
options example is accepted (and a wrong option refused), and the dialect it quotes is the code."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from wb_testing import REPO
from workbook import UsageError
from workbook.contract import ContractSettings
from workbook.params import load_plan, notebook_parameters
from workbook.runner import run
from workbook.sandbox import Sandbox

DOC = (REPO / "docs" / "PLATFORMS.md").read_text()
EXAMPLE = REPO / "docs" / "examples" / "my-studio.yaml"


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def test_the_quoted_dialect_is_the_code_that_runs() -> None:
    marker = "<!-- quoted from lib/workbook/contract/_dialects/orfeas.py"
    quoted = DOC.split(marker, 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    source = (REPO / "lib" / "workbook" / "contract" / "_dialects" / "orfeas.py").read_text()
    assert quoted.strip() in source


def test_the_example_profile_is_the_one_the_page_shows() -> None:
    shown = yaml.safe_load(fenced("yaml")[0])["services"]["studio"]
    example = yaml.safe_load(EXAMPLE.read_text())["services"]["studio"]
    assert shown == example


def notebook_defaults(name: str) -> dict[str, Any]:
    values = {}
    for key, parameter in notebook_parameters(REPO / "notebooks" / f"{name}.ipynb").items():
        try:
            values[key] = ast.literal_eval(parameter.default)
        except (ValueError, SyntaxError):
            continue
    return values


def test_the_options_example_is_accepted_and_an_unknown_option_refused() -> None:
    options = yaml.safe_load(fenced("yaml")[1])["notebooks"]["40_api_contract"]["dialect_options"]
    services = yaml.safe_load(EXAMPLE.read_text())["services"]
    names = set(ContractSettings.model_fields)
    base = {key: value for key, value in notebook_defaults("40_api_contract").items() if key in names}
    settings = ContractSettings.of(**{**base, "services": services, "dialect_options": options})
    assert settings.dialect_options == options
    with pytest.raises(UsageError, match=r"job_satus_path: unknown option"):
        ContractSettings.of(**{**base, "services": services, "dialect_options": {"job_satus_path": "/x"}})


@pytest.mark.notebook
def test_the_worked_example_runs_against_the_sandbox(tmp_path: Path) -> None:
    """Step 1 and 2 of the page: only the profile's URL changes, and notebooks 00 and 40 pass."""
    with Sandbox(["studio"], time_scale=10.0) as sandbox:
        document = yaml.safe_load(EXAMPLE.read_text())
        document["services"]["studio"]["url"] = sandbox.outputs["studio"]["url"]
        params = tmp_path / "my-studio.yaml"
        params.write_text(yaml.safe_dump(document, sort_keys=False))
        plan = load_plan(params, notebooks_dir=REPO / "notebooks")
        outcome = run(plan, outputs_dir=tmp_path / "outputs", emit=lambda line: None)
    sandbox.cleanup()
    manifest = json.loads((outcome.bundle / "manifest.json").read_text())
    assert {entry["name"]: entry["status"] for entry in manifest["notebooks"]} == {
        "00_service_health": "passed",
        "40_api_contract": "passed",
    }, [(entry["name"], entry["reason"]) for entry in manifest["notebooks"]]
    assert outcome.exit_code == 0
