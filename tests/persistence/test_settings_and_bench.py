"""Parameter validation and the presign benchmark (with a fake URL factory; nothing is timed)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import matplotlib
import pytest

from workbook.persistence import (
    ParameterError,
    PersistenceSettings,
    benchmark_presign,
    benchmark_table,
    save_benchmark,
)

matplotlib.use("Agg")

VALID: dict[str, Any] = {"api_base_url": "http://127.0.0.1:8000", "storage_bucket": "b"}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"api_base_url": ""}, "api_base_url is empty"),
        ({"api_base_url": "127.0.0.1:8000"}, "api_base_url='127.0.0.1:8000': expected an http"),
        ({"storage_bucket": ""}, "storage_bucket is empty"),
        ({"expected_expiry_s": 604801}, "expected_expiry_s=604801: expected 1..604800"),
        ({"num_images": 0}, "num_images=0"),
        ({"extensions": ("png", "tiff")}, "extensions=\\['png', 'tiff'\\]"),
        ({"benchmark_counts": (0,)}, "benchmark_counts=\\[0\\]"),
        ({"job_prefix": "jobs/"}, "job_prefix='jobs/'"),
        ({"storage_endpoint": "s3.local"}, "storage_endpoint='s3.local'"),
    ],
)
def test_bad_parameters_are_named(override: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        PersistenceSettings(**{**VALID, **override})


def test_key_templates() -> None:
    settings = PersistenceSettings(**VALID)
    assert settings.standalone_key("abc") == "character_references/abc.png"
    assert settings.job_key("j1", "abc", "jpg") == "jobs/j1/character_reference/abc.jpg"


def test_benchmark_counts_calls_and_writes_evidence(tmp_path: Path) -> None:
    calls: list[tuple[str, str]] = []

    async def url_for(image_id: str, extension: str) -> str:
        calls.append((image_id, extension))
        return f"http://s3/b/{image_id}.{extension}?X-Amz-Algorithm=AWS4-HMAC-SHA256"

    runs = asyncio.run(benchmark_presign(url_for, [3, 5]))
    assert [run.completed for run in runs] == [3, 5]
    assert len(calls) == 1 + 3 + 5  # one warm-up call
    table = benchmark_table(runs)
    assert list(table["urls"]) == [3, 5] and not table["stopped_early"].any()
    paths = save_benchmark(runs, tmp_path)
    assert all(path.stat().st_size > 0 for path in paths)


def test_benchmark_stops_at_its_time_limit() -> None:
    async def slow(image_id: str, extension: str) -> str:
        await asyncio.sleep(0.01)
        return image_id

    (run,) = asyncio.run(benchmark_presign(slow, [1000], max_seconds=0.05))
    assert run.stopped_early and 1 <= run.completed < 1000


def test_service_import_must_name_a_class() -> None:
    with pytest.raises(ParameterError, match=r"service_import='services\.asset_persistence'"):
        PersistenceSettings(**VALID, service_import="services.asset_persistence")
    assert PersistenceSettings(**VALID, service_import="").service_import == ""
