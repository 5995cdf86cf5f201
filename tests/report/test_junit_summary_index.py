"""junit.xml read back by a JUnit library and validated against the CI structure; the summary's
matrix, issues and recommendations; the index renders and its links resolve inside the bundle."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from wb_testing import FIXTURES
from workbook.checks import CheckSpec
from workbook.evidence import load_bundle, load_bundles
from workbook.report import summarize, write_report

SPECS = {
    "upload": CheckSpec(
        title="upload accepts a PNG", service="studio-api", severity="critical", remedy="validate uploads"
    ),
    "soak": CheckSpec(
        title="no hang", service="studio-api", severity="major", remedy="fix the hang", figures=("p99_ms",)
    ),
    "ping": CheckSpec(title="redis answers", service="redis", severity="minor"),
    "later": CheckSpec(title="only live", service="redis"),
}
NOTEBOOKS: dict[str, Any] = {
    "40_api": {"upload": ("fail", {"status": 500}), "soak": ("pass", {"p99_ms": 12.5, "first_stall": -1})},
    "50_tasks": {"ping": ("error", {}), "later": ("skip", {}), "soak": ("pass", {"p99_ms": 3.0})},
}


def test_junit_counts_match_results_and_the_ci_schema(make_bundle: Callable[..., Path]) -> None:
    import xmlschema
    from junitparser import Error, Failure, JUnitXml, Skipped

    folder = make_bundle(1, NOTEBOOKS, specs=SPECS)
    bundle = load_bundle(folder)
    write_report(folder, bundle.manifest, bundle.results)
    xmlschema.XMLSchema(FIXTURES / "junit" / "junit.xsd").validate(folder / "junit.xml")
    parsed = JUnitXml.fromfile(str(folder / "junit.xml"))
    suites = {suite.name: suite for suite in parsed}
    assert set(suites) == set(NOTEBOOKS)
    for name, suite in suites.items():
        counts = bundle.results[name].counts()
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
            sum(counts.values()),
            counts["fail"],
            counts["error"],
            counts["skip"],
        )
    cases = {(case.classname, case.name): case for suite in parsed for case in suite}
    upload = cases[("workbook.40_api", "upload")]
    assert isinstance(upload.result[0], Failure) and upload.result[0].message == "detail of upload"
    assert isinstance(cases[("workbook.50_tasks", "ping")].result[0], Error)
    assert isinstance(cases[("workbook.50_tasks", "later")].result[0], Skipped)
    properties = {p.get("name"): p.get("value") for p in upload._elem.iter("property")}
    assert properties["measured.status"] == "500" and properties["severity"] == "critical"


def test_a_notebook_without_checks_is_an_error_testcase_not_zero_tests(make_bundle: Callable[..., Path]) -> None:
    from junitparser import JUnitXml

    folder = make_bundle(1, {"00_ok": {"a": ("pass", {})}})
    bundle = load_bundle(folder)
    broken = bundle.manifest.model_copy(
        update={
            "notebooks": [
                *bundle.manifest.notebooks,
                bundle.manifest.notebooks[0].model_copy(
                    update={"name": "10_broken", "status": "kernel_died", "reason": "the kernel died mid-run"}
                ),
            ]
        }
    )
    write_report(folder, broken, bundle.results)
    suites = {suite.name: suite for suite in JUnitXml.fromfile(str(folder / "junit.xml"))}
    assert suites["10_broken"].errors == 1 and suites["10_broken"].tests == 1


def test_summary_matrix_issues_recommendations_and_figures(make_bundle: Callable[..., Path]) -> None:
    bundle = load_bundle(make_bundle(1, NOTEBOOKS, specs=SPECS))
    summary = summarize(bundle.manifest, bundle.results)
    assert summary.services == ["redis", "studio-api"]
    assert summary.matrix["studio-api"]["40_api"].status == "fail"
    assert summary.matrix["studio-api"]["50_tasks"].status == "pass"
    assert summary.matrix["redis"]["40_api"].status == "none"
    assert summary.matrix["redis"]["50_tasks"].status == "error"
    assert summary.matrix["redis"]["50_tasks"].errored == 1
    # Platform defects and "could not check" are apart: the errored ping is no defect of redis.
    assert [(issue.check, issue.severity) for issue in summary.issues] == [("upload", "critical")]
    assert [(group.reason, [issue.check for issue in group.checks]) for group in summary.could_not_check] == [
        ("setup", ["ping"])
    ]
    assert "setup" in summary.could_not_check[0].configure
    assert summary.recommendations == ["validate uploads (40_api/upload)"]
    assert {(f.notebook, f.name, f.value) for f in summary.key_figures} == {
        ("40_api", "p99_ms", 12.5),
        ("50_tasks", "p99_ms", 3.0),
    }
    assert summary.checks == {"pass": 2, "fail": 1, "skip": 1, "error": 1}
    assert summary.pass_rate == 0.5
    assert [item.check for item in summary.skipped] == ["later"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for key in ("href", "src"):
            if values.get(key):
                self.links.append(str(values[key]))


def test_index_renders_and_every_link_resolves_inside_the_bundle(
    make_bundle: Callable[..., Path], tmp_path: Path
) -> None:
    for index in range(4):
        notebooks = {"40_api": {"soak": ("pass", {"p99_ms": 10.0 + index})}}
        make_bundle(index, notebooks, specs=SPECS)
    folder = make_bundle(5, NOTEBOOKS, specs=SPECS)
    for notebook in NOTEBOOKS:
        (folder / notebook / f"{notebook}.html").write_text("<p>executed</p>")
    bundle = load_bundle(folder)
    manifest = bundle.manifest.model_copy(
        update={
            "notebooks": [
                entry.model_copy(update={"files": {f"{entry.name}/{entry.name}.html": "x"}})
                for entry in bundle.manifest.notebooks
            ]
        }
    )
    report = write_report(folder, manifest, bundle.results, earlier=load_bundles(tmp_path / "outputs"))
    page = (folder / "index.html").read_text()
    parser = _Links()
    parser.feed(page)
    assert "Executive summary" in page and "Service × notebook" in page and "validate uploads" in page
    assert report.history.trends and "Trends of the key figures" in page
    for link in parser.links:
        parsed = urlparse(link)
        assert not parsed.scheme and not parsed.netloc, f"{link}: the index must not link outside the bundle"
        if parsed.fragment and not parsed.path:
            assert parsed.fragment in parser.ids, f"{link}: no such anchor"
        elif link not in ("summary.json", "junit.xml", "history.json"):
            assert (folder / parsed.path).exists(), f"{link}: no such file in the bundle"
    assert (folder / "summary.json").exists() and (folder / "history.json").exists()


def test_matrix_runs_show_as_a_table(make_bundle: Callable[..., Path]) -> None:
    folder = make_bundle(1, {"30.rate=100": {"a": ("pass", {})}, "30.rate=200": {"a": ("fail", {})}})
    bundle = load_bundle(folder)
    entries = [
        entry.model_copy(update={"notebook": "30", "matrix": {"rate": int(entry.name.split("=")[1])}})
        for entry in bundle.manifest.notebooks
    ]
    manifest = bundle.manifest.model_copy(update={"notebooks": entries})
    summary = summarize(manifest, bundle.results)
    assert [(run.values, run.status) for run in summary.matrix_runs["30"]] == [
        ({"rate": "100"}, "passed"),
        ({"rate": "200"}, "failed"),
    ]
    write_report(folder, manifest, bundle.results)
    page = (folder / "index.html").read_text()
    assert "Matrix: 30 (2 combinations)" in page and 'href="#30.rate=200"' in page
