"""Fixtures for the contract tests: one real studio process per module, switches flipped through its admin endpoint."""

from __future__ import annotations

import ast
import functools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wb_testing import REPO
from workbook.checks import CheckResult, Checks
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


def profile_for(url: str, **fields: Any) -> dict[str, Any]:
    """A `services` parameter with one `studio` profile (as the runner passes it from params)."""
    return {"studio": {"url": url, "read_timeout_s": 10, **fields}}


def studio_values(sandbox: Sandbox, **profile: Any) -> dict[str, Any]:
    out = sandbox.outputs["studio"]
    return {
        "services": profile_for(out["url"], **profile),
        "openapi_url": out["openapi_path"],
        "admin_url": out["admin_url"],
        "upload_dir": out["upload_dir"],
        "output_dir": out["output_dir"],
    }


def settings_for(sandbox: Sandbox, *, profile: dict[str, Any] | None = None, **overrides: Any) -> ContractSettings:
    values = studio_values(sandbox, **(profile or {}))
    return ContractSettings.of(**{**notebook_defaults(), **values, **FAST, **overrides})


@pytest.fixture(scope="module")
def studio() -> Iterator[Sandbox]:
    with Sandbox(["studio"]) as running:
        yield running
    running.cleanup()


RunChecks = Callable[..., dict[str, CheckResult]]


def wait_ready(url: str, limit_s: float = 15.0) -> None:
    """Until the studio's /ready says 200 (its models loaded), at most `limit_s`."""
    deadline = time.monotonic() + limit_s
    while httpx.get(url + "/ready", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, f"the studio at {url} was not ready within {limit_s} s"
        time.sleep(0.05)


@pytest.fixture
def run_checks(studio: Sandbox, tmp_path: Path) -> Iterator[RunChecks]:
    """Run named checks (in order, one run) with fault switches on; switches are cleared afterwards.
    Returns each check's result (status, reason, detail, remedy, duration)."""
    admin_url = studio.outputs["studio"]["admin_url"]
    opened: list[ContractRun] = []

    def run(
        check_ids: list[str],
        faults: dict[str, Any] | None = None,
        *,
        profile: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> dict[str, CheckResult]:
        clear_faults(admin_url)
        wait_ready(studio.outputs["studio"]["url"])  # a readiness check before may have restarted the boot
        if faults:
            set_faults(admin_url, faults)
        settings = settings_for(studio, profile=profile, **overrides)
        session = ContractRun.open(settings, evidence=tmp_path / "evidence")
        opened.append(session)
        checks = Checks("40_api_contract", CHECKS, results_dir=tmp_path)
        for check_id in check_ids:
            with checks.run(check_id) as context:
                CHECK_FUNCTIONS[check_id](context, session)
        return {result.id: result for result in checks.results}

    yield run
    clear_faults(admin_url)
    for session in opened:
        session.close()
