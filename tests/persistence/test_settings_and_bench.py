"""Parameter validation and the presign benchmark (with a fake URL factory; nothing is timed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import pytest

from workbook import UsageError, keep_figure
from workbook.persistence import PersistenceSettings, plot_benchmark, save_benchmark_table
from workbook.persistence._bench import benchmark_presign, benchmark_table

from .conftest import notebook_defaults, settings_of

matplotlib.use("Agg")

VALID: dict[str, Any] = {"services": {"refbackend": {"url": "http://127.0.0.1:8000"}}, "storage_bucket": "b"}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"backend_service": ""}, "'backend_service': value '': expected the name of the backend's service profile"),
        ({"output_formats": ["png", "gif"]}, "'output_formats': value \\['png', 'gif'\\]: expected a subset of"),
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
        settings_of(backend_service="", num_images=99, storage_bucket="")
    assert len(str(raised.value).splitlines()) == 3


def test_settings_fields_are_exactly_the_notebooks_parameters() -> None:
    # Defaults live in the parameters cell only: every field is required and comes from there.
    assert set(PersistenceSettings.model_fields) == set(notebook_defaults()) - {"interactive"}
    assert all(field.is_required() for field in PersistenceSettings.model_fields.values())


def test_key_templates() -> None:
    settings = settings_of(**VALID)
    assert settings.standalone_key("abc") == "character_references/abc.png"
    assert settings.job_key("j1", "abc", "jpg") == "videos/j1/intermediate/character_reference/abc.jpg"


class FakeService:
    """What benchmark_presign asks of the service process: one call, then repeats timed in the service."""

    def __init__(self, seconds: float = 0.001, budget: int = 10**6) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.seconds, self.budget = seconds, budget

    def call(self, method: str, **kwargs: Any) -> object:
        self.calls.append((method, kwargs))
        return None

    def repeat(self, method: str, count: int, *, max_s: float, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((method, {**kwargs, "count": count}))
        done = min(count, self.budget)
        url = f"http://s3/b/{kwargs['image_id']}.{kwargs['extension']}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        return {"values": [url] * done, "seconds": [self.seconds] * done, "stopped_early": done < count}


def test_benchmark_counts_calls_and_writes_evidence(tmp_path: Path) -> None:
    service = FakeService()
    runs = benchmark_presign(service, "img-1", [3, 5])  # type: ignore[arg-type]
    assert [run.completed for run in runs] == [3, 5]
    # One warm-up, then the runs; always by keyword, on the one existing image.
    assert [kwargs.get("count") for _, kwargs in service.calls] == [None, 3, 5]
    assert all(kwargs["image_id"] == "img-1" and kwargs["extension"] == "png" for _, kwargs in service.calls)
    table = benchmark_table(runs)
    assert list(table["urls"]) == [3, 5] and not table["stopped_early"].any()
    saved = save_benchmark_table(runs, tmp_path / "bench.csv")
    assert list(saved["urls"]) == [3, 5] and (tmp_path / "bench.csv").read_text().startswith("urls,")
    keep_figure(plot_benchmark(runs), tmp_path / "bench.png")
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")


def test_benchmark_reports_a_run_stopped_at_its_time_limit() -> None:
    (run,) = benchmark_presign(FakeService(budget=7), "img", [1000], max_seconds=0.05)  # type: ignore[arg-type]
    assert run.stopped_early and run.completed == 7


def test_service_import_must_name_a_class() -> None:
    with pytest.raises(UsageError, match=r"'service_import': value 'services\.asset_persistence'"):
        settings_of(**VALID, service_import="services.asset_persistence")
    assert settings_of(**VALID, service_import="").service_import == ""
