"""The spine without kernels: the runner's executor seam, the one results rule, the sync bridge,
the env overlay, settings from a notebook namespace, and the private-import rule."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import Field

from wb_testing import FIXTURE_NOTEBOOKS, REPO
from workbook import Checks, CheckSpec, NotebookSettings, SyncTimeoutError, UsageError, run_sync
from workbook.checks import CheckStatus, NotebookResults, final_results, load_results, verdict, write_results
from workbook.evidence import NotebookEntry
from workbook.params import NotebookPlan, load_plan
from workbook.runner import Ending, KernelContext, run, settle_entry
from workbook.runtime import env_overlay

API = {"api_url": "http://127.0.0.1:1"}


def plan_for(write_params: Callable[..., Path], notebooks: dict[str, dict[str, object]]) -> object:
    document = {"profile": "seam", "sandbox": [], "cell_timeout_s": 5, "notebooks": notebooks}
    return load_plan(write_params(document), notebooks_dir=FIXTURE_NOTEBOOKS)


def fake_executor(
    outcomes: dict[str, tuple[Ending, dict[str, str]]], seen: list[KernelContext]
) -> Callable[[NotebookPlan, Path, KernelContext], NotebookEntry]:
    """Writes a results.json as a kernel would (check id -> status) and settles it with the real rule."""

    def execute(plan: NotebookPlan, out_dir: Path, context: KernelContext) -> NotebookEntry:
        seen.append(context)
        ending, statuses = outcomes[plan.name]
        declared = {**{check_id: f"check {check_id}" for check_id in statuses}, "extra": "declared, never run"}
        results = NotebookResults(notebook=plan.name, declared=declared)
        results = results.model_copy(
            update={"checks": [results.result(cid, CheckStatus(status)) for cid, status in statuses.items()]}
        )
        write_results(out_dir / "results.json", results)
        (out_dir / f"{plan.name}.ipynb").write_text("{}")
        (out_dir / "echo.txt").write_text(context.env.get("SEAM_SECRET_TOKEN", ""))
        return settle_entry(
            plan.name, ending, final_results(results, ending.reason or "stopped"), started_at=None, duration_s=0.01
        )

    return execute


def test_run_seals_classifies_and_scrubs_without_a_kernel(
    write_params: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEAM_SECRET_TOKEN", "canary-seam-secret-31415")
    plan = plan_for(write_params, {"passes": API, "fails_check": API, "raises": API})
    seen: list[KernelContext] = []
    outcomes = {
        "passes": (Ending(), {"a": "pass"}),
        "fails_check": (Ending(), {"a": "pass", "b": "fail"}),
        "raises": (Ending("failed", "ValueError", "boom", "cell 3 raised ValueError: boom", 1), {"a": "pass"}),
    }
    before = dict(os.environ)
    lines: list[str] = []
    outcome = run(plan, outputs_dir=tmp_path, emit=lines.append, execute=fake_executor(outcomes, seen))  # type: ignore[arg-type]
    assert dict(os.environ) == before, "the runner must not change its own environment"
    assert outcome.exit_code == 1
    data = json.loads((outcome.bundle / "manifest.json").read_text())
    statuses = {entry["name"]: (entry["status"], entry["checks"]) for entry in data["notebooks"]}
    # "extra" was declared and never run: an error in every notebook, so even `passes` fails.
    assert statuses["passes"][0] == "failed" and statuses["passes"][1]["error"] == 1
    assert statuses["fails_check"][1] == {"pass": 1, "fail": 1, "skip": 0, "error": 1}
    assert statuses["raises"][0] == "failed"
    assert all("WORKBOOK_EVIDENCE_DIR" in context.env for context in seen)
    assert [Path(context.env["WORKBOOK_EVIDENCE_DIR"]).name for context in seen] == ["passes", "fails_check", "raises"]
    assert all(path in data["files"] for path in ("index.html", "passes/results.json"))
    assert "results" not in data["notebooks"][0], "results stay out of the manifest (results.json holds them)"
    assert data["runner"]["pid"] == os.getpid()
    page = (outcome.bundle / "index.html").read_text()
    assert "declared, never run" in page


def test_interrupt_from_the_executor_leaves_an_interrupted_bundle(
    write_params: Callable[..., Path], tmp_path: Path
) -> None:
    plan = plan_for(write_params, {"passes": API, "fails_check": API})

    def execute(plan: NotebookPlan, out_dir: Path, context: KernelContext) -> NotebookEntry:
        raise KeyboardInterrupt

    outcome = run(plan, outputs_dir=tmp_path, emit=lambda line: None, execute=execute)  # type: ignore[arg-type]
    data = json.loads((outcome.bundle / "manifest.json").read_text())
    assert outcome.exit_code == 130 and data["status"] == "interrupted"
    assert [entry["status"] for entry in data["notebooks"]] == ["interrupted", "not_run"]


def test_final_results_is_pure_and_shared_by_kernel_and_runner(tmp_path: Path) -> None:
    checks = Checks(
        "nb",
        {"a": "first", "b": CheckSpec(title="second", service="api", severity="critical", remedy="fix the api")},
        results_dir=tmp_path,
    )
    with checks.run("a"):
        pass
    on_disk = load_results(tmp_path / "results.json")
    assert on_disk is not None
    final = final_results(on_disk, "the kernel died")
    assert len(on_disk.checks) == 1, "final_results returns a new value"
    missing = final.checks[-1]
    assert (missing.id, missing.status, missing.detail) == ("b", "error", "not run: the kernel died")
    # The declaration's service and severity travel; its remedy does not: nothing observed that defect.
    assert (missing.service, missing.severity, missing.remedy) == ("api", "critical", "")
    assert missing.reason == "internal"
    assert verdict(final) == ("failed", "1 check(s) failed or errored")
    checks.finish()
    assert [c.status for c in load_results(tmp_path / "results.json").checks] == ["pass", "error"]  # type: ignore[union-attr]


def test_expect_none_records_every_problem(tmp_path: Path) -> None:
    checks = Checks("nb", {"a": "a"}, results_dir=tmp_path)
    with checks.run("a") as c:
        assert c.expect_none([]) is True
        c.expect_none(["job 1 took job 2's grid", "job 2 took job 1's grid"])
    assert checks.results[0].detail == "job 1 took job 2's grid; job 2 took job 1's grid"


def test_sync_bridge_timeout_cancels_the_coroutine() -> None:
    cancelled = threading.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    started = time.monotonic()
    with pytest.raises(SyncTimeoutError, match=r"did not finish within 0\.2 s"):
        run_sync(slow(), timeout_s=0.2, what="slow()")
    assert cancelled.wait(2) and time.monotonic() - started < 5


def test_sync_bridge_works_inside_a_running_loop() -> None:
    async def inner() -> int:
        return 41 + 1

    async def outer() -> int:
        return run_sync(inner())  # a notebook cell: the kernel's loop is running on this thread

    assert asyncio.run(outer()) == 42


def test_env_overlay_restores_set_and_unset_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_OVERLAY_A", "before")
    monkeypatch.delenv("WB_OVERLAY_B", raising=False)
    with env_overlay({"WB_OVERLAY_A": "inside", "WB_OVERLAY_B": "new"}):
        assert (os.environ["WB_OVERLAY_A"], os.environ["WB_OVERLAY_B"]) == ("inside", "new")
    assert os.environ["WB_OVERLAY_A"] == "before" and "WB_OVERLAY_B" not in os.environ


class _Settings(NotebookSettings):
    base_url: str
    count: int = Field(default=3, gt=0)
    api_token: str = ""


def test_settings_from_namespace_take_declared_fields_and_report_every_problem() -> None:
    namespace = {"base_url": "http://127.0.0.1:1", "count": 5, "unrelated": object(), "interactive": False}
    assert _Settings.from_namespace(namespace).count == 5
    with pytest.raises(UsageError) as raised:
        _Settings.from_namespace({"count": 0, "api_token": 7})
    message = str(raised.value)
    assert "'base_url' is required" in message and "'count': value 0" in message
    assert "(hidden)" in message and ": value 7" not in message


def test_no_lib_module_imports_another_packages_private_module() -> None:
    """A package may use its own private modules and its ancestors' (the root's _errors, _secrets...)."""
    lib = REPO / "lib"
    offenders = []
    for path in sorted((lib / "workbook").rglob("*.py")):
        module = ".".join(path.relative_to(lib).with_suffix("").parts)
        package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                parts = target.split(".")
                for index, part in enumerate(parts):
                    if part.startswith("_") and not part.startswith("__"):
                        owner = ".".join(parts[:index])
                        if not (package == owner or package.startswith(owner + ".")):
                            offenders.append(f"{module} imports {target}")
                        break
    assert sorted(set(offenders)) == []


def test_no_import_circle_between_lib_modules() -> None:
    """Module-level imports (TYPE_CHECKING blocks aside) form no cycle anywhere in lib/."""
    lib = REPO / "lib"
    graph: dict[str, set[str]] = {}
    for path in sorted((lib / "workbook").rglob("*.py")):
        module = ".".join(path.relative_to(lib).with_suffix("").parts).removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        targets: set[str] = set()
        for statement in ast.parse(path.read_text()).body:
            if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
                continue
            for node in ast.walk(statement):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    break
                if isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                        base = ".".join([*anchor, base] if base else anchor)
                    targets |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
        graph[module] = targets
    edges = {
        module: {target for target in targets if target in graph and target != module}
        for module, targets in graph.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_package_root_holds_only_the_public_api_and_the_cli() -> None:
    """Issue 20: every module lives in a package that says what it holds (errors, credentials,
    runtime, notebook, connect, ...); the root keeps only `__init__`, `__main__` and the CLI."""
    root = REPO / "lib" / "workbook"
    assert sorted(path.name for path in root.glob("*.py")) == ["__init__.py", "__main__.py", "_cli.py"]


def test_no_circle_between_packages_even_through_lazy_imports() -> None:
    """Packages depend on each other one way: counting every import (inside functions and
    TYPE_CHECKING blocks too), the graph of `workbook.<package>` dependencies has no cycle."""
    lib = REPO / "lib"
    edges: dict[str, set[str]] = {}
    for path in sorted((lib / "workbook").rglob("*.py")):
        parts = path.relative_to(lib).with_suffix("").parts
        owner = parts[1] if len(parts) > 2 else ""
        package = ".".join(parts[:-1])
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            target = base.split(".")
            names = target[1:2] or [alias.name for alias in node.names]
            for name in names:
                if owner and name != owner and (lib / "workbook" / name).is_dir():
                    edges.setdefault(owner, set()).add(name)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})) for nxt in edges.get(start, ())
        )

    circles = sorted(package for package in edges if reaches(package, package, {package}))
    assert circles == [], f"packages that import themselves round a circle: {circles}"
