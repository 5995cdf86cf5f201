#!/usr/bin/env python
"""Time from first contact to a could-not-check verdict in notebook 40 (issue 20, section 3).

Starts the `studio` stand-in, turns on one verdict switch at a time — `drop_route` for each route
the dialect needs, `api_key_required` with a profile that sends no key — and runs every check of
notebook 40 against it, `--repeats` times. For each check that ends `error`, it prints the reason
and how long the check took to say so (median and max over the repeats). Goal: well under a
second (`--goal-s`, default 1.0); exit status 1 if a verdict took longer or a check ended `fail`
(a could-not-check read as a defect). Figures depend on the machine and its load.

    .venv/bin/python scripts/bench_contract_verdicts.py [--repeats 3] [--goal-s 1.0]
"""

from __future__ import annotations

import argparse
import ast
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from workbook.checks import Checks, CheckStatus
from workbook.contract import CHECK_FUNCTIONS, CHECKS, ContractRun, ContractSettings
from workbook.params import notebook_parameters
from workbook.sandbox import Sandbox, clear_faults, set_faults

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "40_api_contract.ipynb"
SCENARIOS: dict[str, dict[str, Any]] = {
    "drop /api/upload-image": {"drop_route": "/api/upload-image"},
    "drop /api/text-to-image": {"drop_route": "/api/text-to-image"},
    "drop /api/generate-3d": {"drop_route": "/api/generate-3d"},
    "drop /api/job-status/{job_id}": {"drop_route": "/api/job-status/{job_id}"},
    "drop /api/health": {"drop_route": "/api/health"},
    "api_key_required (no key sent)": {"api_key_required": True},
}
# Small case budgets: the figure is the time to a verdict, not the time of a full run.
BUDGET = {
    "soak_requests": 6,
    "qualities": [5],
    "styles": ["realistic"],
    "job_timeout_s": 20.0,
    "schemathesis_phases": ["fuzzing"],
    "schemathesis_max_examples": 5,
    "upload_limit_bytes": 0,
    "large_image_bytes": 20_000,
}


def defaults() -> dict[str, Any]:
    values = {name: ast.literal_eval(p.default) for name, p in notebook_parameters(NOTEBOOK).items()}
    values.pop("interactive")
    return values


def wait_ready(url: str, limit_s: float = 15.0) -> None:
    deadline = time.monotonic() + limit_s
    while httpx.get(url + "/ready", timeout=5).status_code != 200:
        if time.monotonic() > deadline:
            raise SystemExit(f"the studio at {url} was not ready within {limit_s} s")
        time.sleep(0.05)


def run_once(sandbox: Sandbox, faults: dict[str, Any], base: dict[str, Any], folder: Path) -> list[Any]:
    out = sandbox.outputs["studio"]
    clear_faults(out["admin_url"])
    wait_ready(out["url"])  # the readiness check restarts the models' loading phase
    set_faults(out["admin_url"], faults)
    values = {
        **base,
        **BUDGET,
        "services": {"studio": {"url": out["url"], "read_timeout_s": 10}},
        "openapi_url": out["openapi_path"],
        "admin_url": out["admin_url"],
        "upload_dir": out["upload_dir"],
        "output_dir": out["output_dir"],
    }
    run = ContractRun.open(ContractSettings.of(**values), evidence=folder)
    checks = Checks("40_api_contract", CHECKS, results_dir=folder)
    try:
        for check_id, check in CHECK_FUNCTIONS.items():
            with checks.run(check_id) as c:
                check(c, run)
    finally:
        run.close()
        clear_faults(out["admin_url"])
    return checks.results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="runs per scenario (default 3)")
    parser.add_argument("--goal-s", type=float, default=1.0, help="longest acceptable time to a verdict, seconds")
    args = parser.parse_args()
    base = defaults()
    worst, fails = 0.0, []
    with Sandbox(["studio"]) as sandbox, tempfile.TemporaryDirectory() as tmp:
        print(f"{'scenario':34} {'check':16} {'verdict':18} {'median ms':>9} {'max ms':>8}")
        for label, faults in SCENARIOS.items():
            seconds: dict[str, list[float]] = defaultdict(list)
            verdicts: dict[str, str] = {}
            for _ in range(args.repeats):
                for result in run_once(sandbox, faults, base, Path(tmp)):
                    if result.status is CheckStatus.FAIL:
                        fails.append(f"{label}: {result.id} failed: {result.detail[:160]}")
                    if result.status is CheckStatus.ERROR:
                        seconds[result.id].append(result.duration_s)
                        verdicts[result.id] = f"error/{result.reason.value if result.reason else '?'}"
            for check_id, values in seconds.items():
                worst = max(worst, *values)
                median_ms, max_ms = statistics.median(values) * 1000, max(values) * 1000
                print(f"{label:34} {check_id:16} {verdicts[check_id]:18} {median_ms:9.1f} {max_ms:8.1f}")
    print(
        f"\nlongest time to a could-not-check verdict: {worst * 1000:.1f} ms (goal: under {args.goal_s * 1000:.0f} ms)"
    )
    for line in fails:
        print(f"FAIL where a could-not-check was expected: {line}")
    return 0 if worst < args.goal_s and not fails else 1


if __name__ == "__main__":
    sys.exit(main())
