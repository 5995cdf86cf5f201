"""Before the flow: the task service and the brain say, in their health bodies, that they are well.

The brain's `/health` always answers 200 — with `degraded` and the failing component (`neo4j`,
`jina`) in the body when its store or embedding provider is down — so only the body tells. Read
with `workbook.health` (the one reader of health bodies), each profile's `health` paths with the
profile's own credentials.
"""

from __future__ import annotations

from ..checks import CheckContext
from ..health import health_targets, run_matrix
from ._run import CrossServiceRun

# The seed's health budget (health < 2 s); the timing itself is notebook 00's and 30's to judge.
SEED_HEALTH_BUDGET_S = 2.0


def check_service_health(c: CheckContext, run: CrossServiceRun) -> None:
    """Fail on a health body (or a 5xx, or a slow answer) that says a service of the flow is unwell;
    could-not-check when no health endpoint of theirs could be read."""
    names = [name for name in (run.settings.taskservice_service, run.settings.brain_service) if name]
    services = {name: run.settings.services[name] for name in names if name in run.settings.services}
    targets = [target for target in health_targets(services) if target.kind == "http"]
    if not targets:
        c.skip(f"the profiles {names} name no health paths (services.<name>.health)")
    rows = run_matrix(targets, services, SEED_HEALTH_BUDGET_S)
    c.measure(
        health={row.target: row.measured.get("health_words") or row.detail for row in rows.values()},
        status_codes={row.target: row.measured.get("status_code") for row in rows.values()},
    )
    unwell = [f"{row.target}: {row.detail}" for row in rows.values() if not row.ok and row.reason is None]
    unreached = [(row.reason, f"{row.target}: {row.detail}") for row in rows.values() if row.reason]
    c.expect_none(unwell)
    if not unwell and unreached:
        c.could_not_check(unreached[0][0] or "unreachable", "; ".join(detail for _, detail in unreached))
    for row in rows.values():
        c.note(f"{row.target}: {row.detail}")
