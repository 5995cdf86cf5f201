"""Every notebook, run from JupyterLab in headless Chromium against the sandbox `make lab` starts.

The user's path, end to end: `python -m workbook lab` (what `make lab` runs) starts the sandbox and
JupyterLab; each notebook is opened and run with Run > Run All Cells, no value typed; then the DOM
must show no error output, the parameter form bound to the sandbox, and a checks table in which
every check passed. Screenshots land in outputs/test-browser/<stamp>/ (git-ignored). Ctrl-C then
stops the lab and its sandbox with no process left behind.

Run with `make test-browser` (it installs chromium and chromium-driver when missing).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from wb_testing import REPO

from ._browser import LabPage, RunOutcome, chrome, require_chromium
from ._lab_process import LabProcess, start_lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

NOTEBOOKS = sorted(path.stem for path in (REPO / "notebooks").glob("*.ipynb"))
SHOTS = REPO / "outputs" / "test-browser" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
NOTEBOOK_TIMEOUT_S = 600


def _digest() -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in (REPO / "notebooks").glob("*.ipynb")}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabProcess]:
    require_chromium()
    before = _digest()
    process = start_lab(tmp_path_factory.mktemp("lab"))
    try:
        assert process.state() is not None, "the lab did not start a sandbox"
        yield process
        process.remember_pids()
        assert process.ctrl_c() == 0, process.tail()
        assert process.left_running() == [], f"left running after Ctrl-C:\n{process.tail()}"
        assert process.state() is None, "the sandbox state outlived the lab that started it"
    finally:
        if process.process.poll() is None:
            process.kill()
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "lab.log").write_text(process.log.read_text(errors="replace"))
    assert _digest() == before, "running the notebooks in the lab changed the committed notebooks"


@pytest.fixture(scope="module")
def page(lab: LabProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabPage]:
    driver = chrome(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield LabPage(driver, lab.url, lab.token)
    finally:
        driver.quit()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_in_the_lab_with_every_check_passing(lab: LabProcess, page: LabPage, notebook: str) -> None:
    page.open(notebook)
    started = time.monotonic()
    page.run_all()
    try:
        page.wait_until_idle(NOTEBOOK_TIMEOUT_S)
        outcome = page.outcome(started)
    finally:
        shots = page.screenshots(SHOTS, notebook)
        lab.remember_pids()
        for session in lab.api("/api/sessions").json():
            lab.api(f"/api/sessions/{session['id']}", method="DELETE")
    print(
        f"{notebook}: ran in {time.monotonic() - started:.1f} s, {outcome.progress_widgets} progress widget(s); "
        f"screenshots {[str(p) for p in shots]}"
    )
    _assert_ran_clean(notebook, outcome, lab.stopped_stand_ins())


def _assert_ran_clean(notebook: str, outcome: RunOutcome, stopped_logs: dict[str, str]) -> None:
    not_run = [index for index, prompt in enumerate(outcome.prompts) if not prompt.strip("[]: ").isdigit()]
    errors = [(index, text[:600]) for index, texts in enumerate(outcome.stderr) for text in texts]
    assert not errors, f"{notebook}: code cells show error/stderr output: {errors}"
    assert not not_run, f"{notebook}: code cells {not_run} did not run (prompts {outcome.prompts})"
    # Progress and check outcomes are widgets in the lab, not the headless console lines.
    lines = [
        line for text in outcome.stdout for line in text.splitlines() if line.startswith(("[progress]", "[check]"))
    ]
    assert not lines, f"{notebook}: headless progress lines in the lab: {lines[:5]}"
    assert "bound to sandbox" in outcome.binding_text, (
        f"{notebook}: binding panel says {outcome.binding_text!r}; logs of stopped stand-ins: {stopped_logs}"
    )
    source = (REPO / "notebooks" / f"{notebook}.ipynb").read_text()
    if "params_form(" in source:
        assert outcome.form_count >= 1, f"{notebook}: the parameter form did not render"
    statuses = outcome.statuses()
    assert statuses, f"{notebook}: no checks table in the last cells (tables: {outcome.tables[-3:]})"
    failed = {check: status for check, status in statuses.items() if status != "pass"}
    assert not failed, f"{notebook}: checks not passing in the lab: {failed}"
    # The rows shown live as each check finished agree with the final table.
    assert dict(outcome.live_rows) == statuses, f"{notebook}: live rows {outcome.live_rows} vs table {statuses}"
    # And the DOM agrees with what the kernel recorded.
    recorded = json.loads((REPO / "outputs" / "interactive" / notebook / "results.json").read_text())
    assert {check["id"]: check["status"] for check in recorded["checks"]} == statuses
