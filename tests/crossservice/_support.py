"""Runs notebook 60's checks in-process against a sandbox (redis, brain, task service; the optional
character/story extension), each run in projects of its own."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbook import crossservice as x
from workbook.checks import CheckResult, Checks
from workbook.sandbox import Sandbox, clear_faults, set_faults

# The character/story REST extension runs too, for the optional check (the notebook names it only on request).
SERVICES = ["redis", "brain", "taskservice", "characters", "story"]


def services_for(sandbox: Sandbox) -> dict[str, Any]:
    """The two profiles as params/sandbox.yaml gives them."""
    o = sandbox.outputs
    key = {"kind": "header", "name": "X-API-Key", "secret_env": "SANDBOX_TASKSERVICE_API_KEY"}
    return {
        "taskservice": {
            "url": o["taskservice"]["url"],
            "auth": key,
            "dialect": "celery-redis",
            "health": ["/health", "/api/v1/health"],
        },
        "brain": {"url": o["brain"]["url"], "ws_url": o["brain"]["ws_url"], "health": ["/health", "/api/v1/health"]},
        "characters": {"url": o["characters"]["url"]},
        "story": {"url": o["story"]["url"]},
    }


def settings_for(sandbox: Sandbox, **overrides: Any) -> x.CrossServiceSettings:
    o = sandbox.outputs
    values: dict[str, Any] = {
        "services": services_for(sandbox),
        "taskservice_admin_url": o["taskservice"]["admin_url"],
        "brain_admin_url": o["brain"]["admin_url"],
        # Generous: these tests prove each check can fail, they do not time the machine.
        "embed_p50_ms_max": 5000.0,
        "flow_total_s_max": 120.0,
        "task_timeout_s": 30.0,
        "error_bound_s": 20.0,
    }
    values.update(overrides)
    return x.CrossServiceSettings.of(**values)


CHECK_FUNCTIONS = {
    "service_health": x.check_service_health,
    "flow": x.check_flow,
    "consistency": x.check_consistency,
    "error_propagation": x.check_error_propagation,
    "isolation": x.check_isolation,
    "embedding_quality": x.check_embedding_quality,
    "embedding_behaviour": x.check_embedding_behaviour,
    "negative_scores": x.check_negative_scores,
    "clustering": x.check_clustering,
    "character_story": x.check_character_story,
}


def run_checks(
    sandbox: Sandbox,
    check_ids: Sequence[str],
    tmp: Path,
    *,
    faults: dict[str, dict[str, Any]] | None = None,
    setup: Sequence[str] = (),
    **overrides: Any,
) -> dict[str, CheckResult]:
    """Run the `setup` checks, set `faults` (service -> switches), run `check_ids`, clear every switch."""
    admin = {name: sandbox.outputs[name]["admin_url"] for name in ("brain", "taskservice")}
    run = x.CrossServiceRun.open(settings_for(sandbox, **overrides), evidence=tmp)
    checks = Checks("60_cross_service", x.CHECKS, results_dir=tmp)
    try:
        for check_id in setup:
            with checks.run(check_id) as c:
                CHECK_FUNCTIONS[check_id](c, run)
        for service, switches in (faults or {}).items():
            set_faults(admin[service], switches)
        for check_id in check_ids:
            with checks.run(check_id) as c:
                CHECK_FUNCTIONS[check_id](c, run)
    finally:
        run.close()
        for service in faults or {}:
            clear_faults(admin[service])
    return {result.id: result for result in checks.results}
