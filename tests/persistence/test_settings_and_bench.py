"""Parameter validation and the presign benchmark (with a fake URL factory; nothing is timed)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import matplotlib
import pytest

from workbook import UsageError, keep_figure
from workbook.persistence import PersistenceSettings, plot_benchmark, save_benchmark_table
from workbook.persistence._bench import benchmark_presign, benchmark_table

from .conftest import notebook_defaults, settings_of

matplotlib.use("Agg")

VALID: dict[str, Any] = {"api_base_url": "http://127.0.0.1:8000", "storage_bucket": "b"}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"api_base_url": ""}, "'api_base_url': value '': expected the backend's base URL"),
        ({"api_base_url": "127.0.0.1:8000"}, "'api_base_url': value '127.0.0.1:8000': expected an http"),
        ({"storage_bucket": ""}, "'storage_bucket': value '': expected the bucket"),
        (
            {"expected_expiry_s": 604801},
            "'expected_expiry_s': value 604801: Input should be less than or equal to 604800",
        ),
        ({"num_images": 0}, "'num_images': value 0"),
        ({"extensions": ["png", "tiff"]}, "'extensions': value \\['png', 'tiff'\\]: expected a non-empty subset"),
        ({"benchmark_counts": [0]}, "'benchmark_counts.0': value 0"),
        ({"job_prefix": "jobs/"}, "'job_prefix': value 'jobs/': expected a template containing"),
        ({"storage_endpoint": "s3.local"}, "'storage_endpoint': value 's3.local'"),
        ({"aspect_ratio": "square"}, "'aspect_ratio': value 'square': expected an aspect ratio"),
        ({"num_imagse": 3}, "unknown setting 'num_imagse'"),
    ],
)
def test_bad_parameters_are_named(override: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        settings_of(**{**VALID, **override})


def test_every_problem_is_one_line_of_one_error() -> None:
    with pytest.raises(UsageError) as raised:
        settings_of(api_base_url="", num_images=99, storage_bucket="")
    assert len(str(raised.value).splitlines()) == 3


def test_settings_fields_are_exactly_the_notebooks_parameters() -> None:
    # Defaults live in the parameters cell only: every field is required and comes from there.
    assert set(PersistenceSettings.model_fields) == set(notebook_defaults()) - {"interactive"}
    assert all(field.is_required() for field in PersistenceSettings.model_fields.values())


def test_key_templates() -> None:
    settings = settings_of(**VALID)
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
    saved = save_benchmark_table(runs, tmp_path / "bench.csv")
    assert list(saved["urls"]) == [3, 5] and (tmp_path / "bench.csv").read_text().startswith("urls,")
    keep_figure(plot_benchmark(runs), tmp_path / "bench.png")
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")


def test_benchmark_stops_at_its_time_limit() -> None:
    async def slow(image_id: str, extension: str) -> str:
        await asyncio.sleep(0.01)
        return image_id

    (run,) = asyncio.run(benchmark_presign(slow, [1000], max_seconds=0.05))
    assert run.stopped_early and 1 <= run.completed < 1000


def test_service_import_must_name_a_class() -> None:
    with pytest.raises(UsageError, match=r"'service_import': value 'services\.asset_persistence'"):
        settings_of(**VALID, service_import="services.asset_persistence")
    assert settings_of(**VALID, service_import="").service_import == ""
