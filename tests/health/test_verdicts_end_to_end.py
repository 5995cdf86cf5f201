"""Issue 20's verdict switches end to end: a stand-in that wants an API key, one that lost a route,
one whose health says `degraded` in a 200 — through the runner, notebook 00 in a real kernel. The
first two are could-not-check (error/auth, error/dialect), the third a platform defect (fail), and
the bundle's summary keeps them apart. (The other envelope: tests/mcp/test_dialects.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wb_testing import REPO
from workbook.params import load_plan
from workbook.runner import run


@pytest.mark.notebook
def test_auth_dialect_and_degraded_end_as_error_error_and_fail(tmp_path: Path) -> None:
    faults = [
        ("studio", "api_key_required", True),  # every /api/ route wants X-API-Key; the profile sends none
        ("studio", "drop_route", "/health"),  # the plain health route is gone (404, as Werkzeug answers)
        ("brain", "store_down", True),  # the brain's store is down: 200 with "degraded" in the body
    ]
    plan = load_plan(
        REPO / "params" / "ci.yaml", notebooks_dir=REPO / "notebooks", only=["00_service_health"], faults=faults
    )
    lines: list[str] = []
    outcome = run(plan, outputs_dir=tmp_path / "outputs", emit=lines.append)
    assert outcome.exit_code == 1
    results = json.loads((outcome.bundle / "00_service_health" / "results.json").read_text())
    rows = {row["id"]: row for row in results["checks"]}
    # params/ci.yaml's studio profile: health [/api/health, /health, /ready] -> http-studio-0, -1, -2
    api_health, gone = rows["http-studio-0"], rows["http-studio-1"]
    brain = rows["http-brain-0"]
    assert (api_health["status"], api_health["reason"]) == ("error", "auth"), api_health
    assert "GET /api/health answered 401" in api_health["detail"]
    assert (gone["status"], gone["reason"]) == ("error", "dialect"), gone
    assert "GET /health answered 404" in gone["detail"] and "services.studio.health" in gone["detail"]
    assert (brain["status"], brain["reason"]) == ("fail", None), brain
    assert "status=degraded" in brain["detail"]
    for row in (api_health, gone, brain):
        # Nothing was waited out: each verdict came from the first answer (budget 2 s, timeouts longer).
        assert row["duration_s"] < 2.0, row
    others = [row for row in rows.values() if row not in (api_health, gone, brain)]
    assert others and all(row["status"] == "pass" for row in others), [(r["id"], r["detail"]) for r in others]

    summary = json.loads((outcome.bundle / "summary.json").read_text())
    assert [issue["check"] for issue in summary["issues"]] == ["http-brain-0"]
    groups = {group["reason"]: [issue["check"] for issue in group["checks"]] for group in summary["could_not_check"]}
    assert groups == {"auth": [api_health["id"]], "dialect": [gone["id"]]}
    junit = (outcome.bundle / "junit.xml").read_text()
    assert 'type="auth"' in junit and 'type="dialect"' in junit and "<failure" in junit
    assert any("1 failed, 2 could not check (auth 1, dialect 1)" in line for line in lines), lines[-5:]
