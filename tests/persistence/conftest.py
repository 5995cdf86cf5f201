"""Fixtures for persistence tests: one real sandbox (SeaweedFS + reference backend) for the whole
session (a start and stop cost ~15 s); tests that set fault switches clear them before and after."""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workbook import repo_root
from workbook.checks import Checks, CheckStatus
from workbook.params import notebook_parameters
from workbook.persistence import CHECKS, PersistenceRun, PersistenceSettings
from workbook.persistence._catalog import CHECK_FUNCTIONS
from workbook.sandbox import Sandbox, clear_faults, set_faults
from workbook.sandbox._faults import FAULTS_ENV

SERVICE_IMPORT = "workbook.sandbox.refbackend:AssetPersistenceService"
NOTEBOOK = repo_root() / "notebooks" / "10_persistence.ipynb"


@functools.cache
def _parameters_cell() -> dict[str, str]:
    return {name: parameter.default for name, parameter in notebook_parameters(NOTEBOOK).items()}


def notebook_defaults() -> dict[str, Any]:
    """The parameters cell of notebook 10 as the kernel would see it (the one place defaults live)."""
    return {name: ast.literal_eval(source) for name, source in _parameters_cell().items()}


def settings_of(**values: Any) -> PersistenceSettings:
    """Settings as the notebook builds them, from its defaults with `values` set."""
    return PersistenceSettings.from_namespace(notebook_defaults(), **values)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(["s3", "refbackend"]) as running:
        yield running


API_KEY = {"kind": "header", "name": "X-API-Key", "secret_env": "SANDBOX_REFBACKEND_API_KEY"}


def sandbox_services(sandbox: Sandbox) -> dict[str, Any]:
    """The service profiles of the two deployments, as params/sandbox.yaml gives them."""
    backend = sandbox.outputs["refbackend"]
    return {
        "refbackend": {"url": backend["url"], "auth": API_KEY},
        "refbackend_local": {"url": backend["local_url"], "auth": API_KEY},
    }


def sandbox_values(sandbox: Sandbox) -> dict[str, Any]:
    """The persistence parameters that point at this sandbox (shared by settings and notebook runs)."""
    s3, backend = sandbox.outputs["s3"], sandbox.outputs["refbackend"]
    return {
        "services": sandbox_services(sandbox),
        "admin_url": backend["admin_url"],
        "storage_endpoint": s3["endpoint"],
        "storage_bucket": s3["bucket"],
        "storage_region": s3["region"],
        "s3_access_key_env": "SANDBOX_S3_ACCESS_KEY",
        "s3_secret_key_env": "SANDBOX_S3_SECRET_KEY",
        "expected_expiry_s": 3,
        "num_images": 2,
        "service_import": SERVICE_IMPORT,
        # Backend and notebook share one clock here: only the 1 s resolution of X-Amz-Date remains.
        "signing_tolerance_s": 2.0,
    }


def sandbox_settings(sandbox: Sandbox, **overrides: Any) -> PersistenceSettings:
    values: dict[str, Any] = {
        **sandbox_values(sandbox),
        "benchmark_counts": (20,),
        # Generous: this suite proves the check can fail, it does not time the machine.
        "presign_budget_ms": 50.0,
    }
    values.update(overrides)
    return settings_of(**values)


RunChecks = Callable[..., dict[str, tuple[CheckStatus, str]]]


@pytest.fixture
def run_checks(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunChecks]:
    """Run named checks with fault switches on (backend via admin, in-process service via env)."""
    admin_url = sandbox.outputs["refbackend"]["admin_url"]
    opened: list[PersistenceRun] = []

    def run(check_ids: list[str], faults: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        clear_faults(admin_url)
        if faults:
            set_faults(admin_url, faults)
            monkeypatch.setenv(FAULTS_ENV, json.dumps(faults))
        switch = overrides.pop("storage_switch", None)
        session = PersistenceRun.open(sandbox_settings(sandbox, **overrides), storage_switch=switch)
        opened.append(session)
        checks = Checks("10_persistence", CHECKS, results_dir=tmp_path)
        for check_id in check_ids:
            with checks.run(check_id) as context:
                CHECK_FUNCTIONS[check_id](context, session)
        return {result.id: (result.status, result.detail) for result in checks.results}

    yield run
    clear_faults(admin_url)
    monkeypatch.delenv(FAULTS_ENV, raising=False)
    for session in opened:
        session.cleanup()
