"""Synthetic bundles: a manifest and results per notebook, written as a real run writes them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from workbook.checks import CheckSpec, CheckStatus, NotebookResults, write_results
from workbook.evidence import NotebookEntry, RunManifest, load_bundle

Checks = Mapping[str, tuple[str, dict[str, Any]]]  # check id -> (status, measured)


def results_for(notebook: str, checks: Checks, specs: Mapping[str, CheckSpec] | None = None) -> NotebookResults:
    specs = specs or {}
    declared = {check_id: specs.get(check_id, CheckSpec(title=f"{check_id} works")) for check_id in checks}
    results = NotebookResults(notebook=notebook, declared=declared)
    # A failed check carries its declared remedy, as a body that confirmed that defect records it
    # (`c.expect(..., remedy=True)`); an errored one carries none and is classed `setup`.
    rows = [
        results.result(
            check_id,
            CheckStatus(status),
            f"detail of {check_id}" if status != "pass" else "",
            measured=m,
            remedy=declared[check_id].remedy if status == "fail" else "",
            reason="setup" if status == "error" else None,
        )
        for check_id, (status, m) in checks.items()
    ]
    return results.model_copy(update={"checks": rows})


@pytest.fixture
def make_bundle(tmp_path: Path) -> Callable[..., Path]:
    """Write bundle number `index` of `profile` under tmp_path/outputs; returns its folder."""

    def make(
        index: int,
        notebooks: Mapping[str, Checks],
        *,
        profile: str = "nightly",
        specs: Mapping[str, CheckSpec] | None = None,
        status: str | None = None,
    ) -> Path:
        run_id = f"20261201T{index:06d}Z_{profile}"
        folder = tmp_path / "outputs" / run_id
        entries = []
        for name, checks in notebooks.items():
            results = results_for(name, checks, specs)
            write_results(folder / name / "results.json", results)
            verdict = "failed" if any(s in ("fail", "error") for s, _ in checks.values()) else "passed"
            entries.append(NotebookEntry(name=name, status=verdict, checks=results.counts(), duration_s=1.5))
        failed = any(entry.status != "passed" for entry in entries)
        manifest = RunManifest(
            run_id=run_id,
            profile=profile,
            params_file="params/x.yaml",
            started_at=f"2026-12-01T00:{index:02d}:00+00:00",
            status=status or ("failed" if failed else "passed"),
            duration_s=10.0,
            notebooks=entries,
            host={"hostname": "ci-host"},
        )
        (folder / "manifest.json").write_text(manifest.model_dump_json(indent=2))
        return folder

    return make


@pytest.fixture
def loaded() -> Callable[[Path], Any]:
    return load_bundle
