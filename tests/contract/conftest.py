"""Fixtures for the contract tests: one real studio process per module, switches flipped through its admin endpoint."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from wb_testing import REPO
from workbook.checks import Checks, CheckStatus
from workbook.contract import CHECK_FUNCTIONS, CHECKS, ContractRun, ContractSettings
from workbook.params import notebook_parameters
from workbook.sandbox import Sandbox, clear_faults, set_faults

NOTEBOOK = REPO / "notebooks" / "40_api_contract.ipynb"
# Small budgets: these tests prove each check can fail, they do not time the machine.
FAST = {
    "soak_requests": 6,
    "soak_timeout_s": 0.75,
    "soak_max_stalls": 1,
    "qualities": [5],
    "styles": ["realistic"],
    "job_timeout_s": 20.0,
    "schemathesis_phases": ["fuzzing"],
    "schemathesis_max_examples": 5,
    "readiness_budget_s": 3.0,
    "health_budget_s": 2.0,
}


def notebook_defaults() -> dict[str, Any]:
    """The parameters cell's values (the one place defaults live), without `interactive`."""
    return dict(_defaults())


@functools.cache
def _defaults() -> dict[str, Any]:
    # Reading the parameters cell costs ~2 s (papermill's inspection): once per session.
    values = {name: ast.literal_eval(p.default) for name, p in notebook_parameters(NOTEBOOK).items()}
    values.pop("interactive")
    return values


def studio_values(sandbox: Sandbox) -> dict[str, Any]:
    out = sandbox.outputs["studio"]
    return {
        "base_url": out["url"],
        "openapi_url": out["openapi_path"],
        "admin_url": out["admin_url"],
        "upload_dir": out["upload_dir"],
        "output_dir": out["output_dir"],
    }


def settings_for(sandbox: Sandbox, **overrides: Any) -> ContractSettings:
    return ContractSettings.of(**{**notebook_defaults(), **studio_values(sandbox), **FAST, **overrides})


@pytest.fixture(scope="module")
def studio() -> Iterator[Sandbox]:
    with Sandbox(["studio"]) as running:
        yield running
    running.cleanup()


RunChecks = Callable[..., dict[str, tuple[CheckStatus, str]]]


@pytest.fixture
def run_checks(studio: Sandbox, tmp_path: Path) -> Iterator[RunChecks]:
    """Run named checks (in order, one run) with fault switches on; switches are cleared afterwards."""
    admin_url = studio.outputs["studio"]["admin_url"]
    opened: list[ContractRun] = []

    def run(check_ids: list[str], faults: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        clear_faults(admin_url)
        if faults:
            set_faults(admin_url, faults)
        session = ContractRun.open(settings_for(studio, **overrides), evidence=tmp_path / "evidence")
        opened.append(session)
        checks = Checks("40_api_contract", CHECKS, results_dir=tmp_path)
        for check_id in check_ids:
            with checks.run(check_id) as context:
                CHECK_FUNCTIONS[check_id](context, session)
        return {result.id: (result.status, result.detail) for result in checks.results}

    yield run
    clear_faults(admin_url)
    for session in opened:
        session.close()
