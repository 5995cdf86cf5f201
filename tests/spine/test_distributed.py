"""Notebooks as Dask tasks: the same bundle and exit code as a sequential run, exclusive notebooks
alone, matrix entries named by their values, and Ctrl-C leaving no worker or kernel behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest

from wb_testing import FIXTURE_NOTEBOOKS, REPO, live_pids
from workbook import ParamsError
from workbook.params import expand_matrix, load_plan
from workbook.runner import DaskSchedule, run

pytestmark = pytest.mark.notebook
API = {"api_url": "http://127.0.0.1:1"}


def _plan(write_params: Callable[..., Path], notebooks: dict[str, Any], notebooks_dir: Path = FIXTURE_NOTEBOOKS) -> Any:
    document = {"profile": "dask", "sandbox": [], "cell_timeout_s": 6, "notebooks": notebooks}
    return load_plan(write_params(document), notebooks_dir=notebooks_dir)


def _shape(bundle: Path) -> dict[str, Any]:
    manifest = json.loads((bundle / "manifest.json").read_text())
    return {
        "status": manifest["status"],
        "entries": [(e["name"], e["status"], e["checks"], e["exception_class"]) for e in manifest["notebooks"]],
        "files": sorted(path for path in manifest["files"] if not path.endswith(".png")),
    }


def test_dask_run_gives_the_same_bundle_and_exit_code_as_sequential(
    write_params: Callable[..., Path], tmp_path: Path
) -> None:
    plan = _plan(write_params, {"passes": API, "fails_check": API, "sleeps": API})
    sequential = run(plan, outputs_dir=tmp_path / "seq", emit=lambda line: None)
    lines: list[str] = []
    parallel = run(plan, outputs_dir=tmp_path / "dask", emit=lines.append, schedule=DaskSchedule(workers=2))
    assert (parallel.exit_code, sequential.exit_code) == (1, 1)
    assert _shape(parallel.bundle) == _shape(sequential.bundle)
    assert any(line.startswith("dask: 2 worker(s)") for line in lines)
    assert any("passes: [progress] working on 3 things" in line for line in lines), "worker lines reach the console"
    assert sum(line.startswith("■ ") for line in lines) == 3


def test_exclusive_notebooks_run_alone_after_the_others(write_params: Callable[..., Path], tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    shutil.copytree(FIXTURE_NOTEBOOKS, folder)
    exclusive = nbformat.read(folder / "passes.ipynb", as_version=4)
    exclusive.metadata["workbook"] = {"exclusive": True}
    nbformat.write(exclusive, folder / "perf.ipynb")
    plan = _plan(write_params, {"perf": API, "passes": API, "fails_check": API}, folder)
    assert [notebook.exclusive for notebook in plan.notebooks] == [True, False, False]
    lines: list[str] = []
    outcome = run(plan, outputs_dir=tmp_path / "out", emit=lines.append, schedule=DaskSchedule(workers=2))
    manifest = json.loads((outcome.bundle / "manifest.json").read_text())
    entries = {entry["name"]: entry for entry in manifest["notebooks"]}
    assert [entry["name"] for entry in manifest["notebooks"]] == ["perf", "passes", "fails_check"]  # plan order
    others_done = max(entries[name]["ended_at"] for name in ("passes", "fails_check"))
    assert entries["perf"]["started_at"] >= others_done
    assert any("perf is exclusive" in line for line in lines)


def test_matrix_entries_are_named_by_their_values(write_params: Callable[..., Path], tmp_path: Path) -> None:
    matrix = {"count": [1, 7], "ratio": [0.25, 0.5]}
    plan = _plan(write_params, {"passes": {**API, "matrix": matrix}, "fails_check": API})
    names = [notebook.name for notebook in plan.notebooks]
    assert names == [
        "passes.count=1,ratio=0.25",
        "passes.count=1,ratio=0.5",
        "passes.count=7,ratio=0.25",
        "passes.count=7,ratio=0.5",
        "fails_check",
    ]
    assert plan.notebooks[3].parameters["count"] == 7 and plan.notebooks[3].matrix == {"count": 7, "ratio": 0.5}
    assert {notebook.notebook for notebook in plan.notebooks[:4]} == {"passes"}
    combos, _ = expand_matrix("nb", {"targets": [[{"url": "a"}], [{"url": "b"}]]})
    assert [name for name, _ in combos] == ["nb.targets=v1", "nb.targets=v2"]


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ({"count": "x"}, "expected a non-empty list"),
        ({"count": [1, "two"]}, "value 'two': expected int"),
        ({"cuont": [1]}, "unknown parameter"),
        ([1, 2], "expected a mapping"),
    ],
)
def test_bad_matrix_is_a_params_error(write_params: Callable[..., Path], matrix: object, message: str) -> None:
    with pytest.raises(ParamsError, match=message):
        _plan(write_params, {"passes": {**API, "matrix": matrix}})


def test_ctrl_c_on_a_dask_run_leaves_no_worker_or_kernel(write_params: Callable[..., Path], tmp_path: Path) -> None:
    params = write_params({"profile": "dask-int", "sandbox": [], "cell_timeout_s": 120, "notebooks": {"sleeps": API}})
    script = (
        "import sys; from pathlib import Path; from workbook.params import load_plan; "
        "from workbook.runner import run, DaskSchedule; "
        f"plan = load_plan(Path({str(params)!r}), notebooks_dir=Path({str(FIXTURE_NOTEBOOKS)!r})); "
        "sys.exit(run(plan, outputs_dir=Path(sys.argv[1]), schedule=DaskSchedule(workers=2)).exit_code)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "out")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "sleeps: [progress]" in line or "▶ sleeps started" in line or time.monotonic() > deadline:
            break
    time.sleep(3)  # the kernel is running the sleeping cell now
    family = [child.pid for child in psutil.Process(process.pid).children(recursive=True)]
    assert len(family) >= 3, f"expected scheduler workers and a kernel, saw {family}: {''.join(seen)}"
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    rest, _ = process.communicate(timeout=90)
    assert process.returncode == 130, "".join(seen) + rest
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and live_pids(family):
        time.sleep(0.2)
    assert live_pids(family) == []
    bundle = next((tmp_path / "out").glob("*_dask-int"))
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["notebooks"][0]["status"] == "interrupted"
