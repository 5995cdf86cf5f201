"""Notebook 10's checks against a second, independently written backend for the seed's API
(`seedbackend.py`, real SeaweedFS): a correct implementation that spells config/debug with the
guide's env-var names passes every check it can be judged by, and the same backend switched to
local serving fails the serving-mode check instead of skipping every cloud check green."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbook.checks import CheckStatus
from workbook.persistence import CHECKS, PersistenceRun
from workbook.sandbox import Sandbox

from .conftest import settings_of
from .offline import run_results
from .seedbackend import SeedBackend, ServerThread

SERVICE_CHECKS = {"extensions", "job_association", "presign_benchmark"}


@pytest.fixture(scope="module")
def seed_backend(sandbox: Sandbox) -> Iterator[tuple[SeedBackend, str, Sandbox]]:
    # The session's SeaweedFS; the reference backend in the same sandbox is not used here.
    s3 = sandbox.outputs["s3"]
    backend = SeedBackend(
        endpoint=s3["endpoint"],
        bucket=s3["bucket"],
        region=s3["region"],
        access_key=sandbox.secrets["SANDBOX_S3_ACCESS_KEY"],
        secret_key=sandbox.secrets["SANDBOX_S3_SECRET_KEY"],
    )
    server = ServerThread(backend.app).start()
    try:
        yield backend, server.url, sandbox
    finally:
        server.stop()
        backend.close()


def open_against(seed_backend: tuple[SeedBackend, str, Sandbox], **overrides: Any) -> PersistenceRun:
    backend, url, sandbox = seed_backend
    s3 = sandbox.outputs["s3"]
    settings = settings_of(
        services={"refbackend": {"url": url}},
        local_backend_service="",
        storage_endpoint=s3["endpoint"],
        storage_bucket=s3["bucket"],
        storage_region=s3["region"],
        s3_access_key_env="SANDBOX_S3_ACCESS_KEY",
        s3_secret_key_env="SANDBOX_S3_SECRET_KEY",
        expected_expiry_s=backend.expiry,
        num_images=2,
        max_num_images=8,  # its own limit (the guide gives none)
        output_formats=["png"],  # the guide alone promises no output_format
        service_import="",  # it has no importable service: those checks skip and say why
        signing_tolerance_s=2.0,
        **overrides,
    )
    return PersistenceRun.open(settings, storage_switch=backend.set_storage_down)


def test_a_correct_independent_backend_passes_every_check_it_can_be_judged_by(
    seed_backend: tuple[SeedBackend, str, Sandbox], tmp_path: Path
) -> None:
    seed_backend[0].serve_from_cloud = True
    run = open_against(seed_backend)
    try:
        results = run_results(list(CHECKS), run, tmp_path)
    finally:
        run.cleanup()
    statuses = {check_id: result.status for check_id, result in results.items()}
    skipped = {check_id for check_id, status in statuses.items() if status is CheckStatus.SKIP}
    assert skipped == {"local_get"} | SERVICE_CHECKS, {k: results[k].detail for k in skipped}
    failed = {
        k: results[k].detail for k, status in statuses.items() if status not in (CheckStatus.PASS, CheckStatus.SKIP)
    }
    assert failed == {}
    assert results["serving_mode"].measured["config_key"] == "SERVE_FROM_CLOUD"
    assert results["serving_mode"].measured["serving"] == "cloud"
    assert "no locally-serving deployment" in results["local_get"].detail


def test_the_same_backend_serving_locally_fails_instead_of_skipping_green(
    seed_backend: tuple[SeedBackend, str, Sandbox], tmp_path: Path
) -> None:
    seed_backend[0].serve_from_cloud = False
    try:
        run = open_against(seed_backend)
        results = run_results(["generate", "serving_mode", "local_get", "cloud_get", "redirect"], run, tmp_path)
        run.cleanup()
    finally:
        seed_backend[0].serve_from_cloud = True
    assert results["generate"].status is CheckStatus.PASS, results["generate"].detail
    assert results["local_get"].status is CheckStatus.PASS, results["local_get"].detail
    assert results["serving_mode"].status is CheckStatus.FAIL
    assert "serves images locally" in results["serving_mode"].detail
    for check_id in ("cloud_get", "redirect"):
        assert results[check_id].status is CheckStatus.SKIP
        assert "config/debug key 'SERVE_FROM_CLOUD' says False" in results[check_id].detail
