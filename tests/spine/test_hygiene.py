"""Repository hygiene: clean committed notebooks, notebook conventions, dependency pins in sync."""

from __future__ import annotations

import ast
import re
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

from wb_testing import REPO
from workbook.params import notebook_parameters

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def committed_notebooks() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "notebooks/*.ipynb"], cwd=REPO, capture_output=True, text=True)
    paths = [REPO / line for line in listed.stdout.split()] if listed.returncode == 0 else []
    return paths or NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_has_no_outputs_or_execution_counts(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert dirty == [], f"{path.name}: cells {dirty} carry outputs or execution counts"
    assert "widgets" not in notebook.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_follows_conventions(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata.kernelspec.name == "workbook"
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code_cells[0].metadata.get("tags", []), "first code cell must be tagged parameters"
    parameters = notebook_parameters(path)
    assert "interactive" in parameters and parameters["interactive"].type_name == "bool"
    for name, parameter in parameters.items():
        assert parameter.type_name != "None", f"{path.name}: parameter {name} has no type annotation"
        assert parameter.help, f"{path.name}: parameter {name} has no one-line comment"
    for cell in code_cells:
        tree = ast.parse(_without_magics(cell.source))
        defined = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
        ]
        assert not defined, f"{path.name}: define functions in lib/, not in notebooks:\n{cell.source}"
    for before, after in zip(notebook.cells, notebook.cells[1:], strict=False):
        if after.cell_type == "code" and "parameters" not in after.metadata.get("tags", []):
            assert before.cell_type == "markdown", (
                f"{path.name}: code cell without a markdown cell before it:\n{after.source[:200]}"
            )


def _without_magics(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


def test_environment_yml_pins_match_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    listed = {line for line in pip_section if not line.startswith("-e")}
    assert listed == declared
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^,;<>]*", dep) for dep in declared), "pin every dependency"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci/run").read_text()
    assert "make test" in readme and "make run" in readme
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_outputs_are_ignored_but_folder_kept() -> None:
    assert (REPO / "outputs/.gitkeep").exists()
    assert "outputs/*" in (REPO / ".gitignore").read_text() and ".env" in (REPO / ".gitignore").read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_binds_its_parameters_in_the_lab(path: Path) -> None:
    """The cell after the parameters cell calls `workbook.interactive_params(globals(), ...)` before any
    form is shown, so a notebook opened in `make lab` gets the sandbox's values with none typed."""
    notebook = nbformat.read(path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    cell = code_cells[1]
    calls = [
        node
        for node in ast.walk(ast.parse(_without_magics(cell.source)))
        if isinstance(node, ast.Call)
        and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
        in ("interactive_params", "params_form")
    ]
    names = [getattr(call.func, "attr", None) or getattr(call.func, "id", None) for call in calls]
    assert "interactive_params" in names, (
        f"{path.name}: the cell after the parameters cell must call interactive_params"
    )
    (bind,) = [call for call, name in zip(calls, names, strict=True) if name == "interactive_params"]
    assert bind.args and ast.unparse(bind.args[0]) == "globals()", f"{path.name}: pass globals() to interactive_params"
    profiles = [ast.literal_eval(kw.value) for kw in bind.keywords if kw.arg == "profile"] + [
        ast.literal_eval(arg) for arg in bind.args[1:2]
    ]
    for profile in profiles:
        assert (REPO / "params" / f"{profile}.yaml").is_file(), f"{path.name}: no params/{profile}.yaml"
    forms = [call.lineno for call, name in zip(calls, names, strict=True) if name == "params_form"]
    assert all(bind.lineno < line for line in forms), f"{path.name}: bind the parameters before showing the form"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_checks_are_declared_before_the_setup_and_the_setup_cannot_swallow_them(path: Path) -> None:
    """Issue 20: a setup that fails must leave every declared check recorded. So the `Checks(...)`
    cell comes before any cell that opens a run or reads settings, and those go through
    `checks.setup(...)` (which records a failure against every check instead of raising)."""
    notebook = nbformat.read(path, as_version=4)
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"][1:]
    declared_at = next((i for i, source in enumerate(sources) if re.search(r"\bChecks\(", source)), None)
    assert declared_at is not None, f"{path.name}: no Checks(...) declaration"
    opening = re.compile(r"\.(open|open_run|from_namespace)\(")
    for index, source in enumerate(sources):
        for line in source.splitlines():
            if opening.search(line) and "checks.setup(" not in line and not line.lstrip().startswith("#"):
                raise AssertionError(f"{path.name}: opens or reads settings outside checks.setup: {line.strip()}")
        if index < declared_at:
            assert "checks.setup(" not in source and not opening.search(source), (
                f"{path.name}: a setup runs before the checks are declared"
            )


def test_every_declared_service_is_a_profile_name() -> None:
    """The report's service vocabulary is the services: profile names (issue 20): one word per service."""
    import importlib
    import pkgutil

    import workbook
    from workbook.checks import CheckSpec

    profiles = set(yaml.safe_load((REPO / "params" / "sandbox.yaml").read_text())["services"])
    found: dict[str, set[str]] = {}
    for module_info in pkgutil.walk_packages(workbook.__path__, "workbook."):
        if ".sandbox" in module_info.name or module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, dict) and value and all(isinstance(item, CheckSpec) for item in value.values()):
                for spec in value.values():
                    found.setdefault(spec.service, set()).add(module_info.name)
    assert found, "no CHECKS tables found"
    unknown = {service: sorted(modules) for service, modules in found.items() if service not in profiles}
    assert unknown == {}, f"services that are no profile of params/sandbox.yaml: {unknown}"
