"""Every defect switch of the task service and the brain makes its named check of notebook 60 fail
with a detail naming the defect; with every switch off every check passes (one sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbook.checks import CheckStatus
from workbook.sandbox import Sandbox, fault_switch_names

from ._support import run_checks

# (service, switch, value, the check that must fail, words its detail must contain). Checks that
# read the flow's task run the flow first, without the switch.
MATRIX: list[tuple[str, str, Any, str, str]] = [
    ("taskservice", "brain_client", "upstream", "flow", "silent success"),
    ("taskservice", "no_webhook", True, "flow", "no webhook"),
    ("taskservice", "swallow_brain_errors", True, "error_propagation", "silent success"),
    ("taskservice", "project_list_leak", True, "isolation", "task list"),
    ("taskservice", "status_404", True, "consistency", "status route does not know"),
    ("taskservice", "cancel_unknown_ok", True, "consistency", "never issued"),
    ("taskservice", "cancel_errors_as_500", True, "consistency", "-> 500"),
    ("brain", "leak_projects", True, "isolation", "leaks"),
    ("brain", "unrelated_embeddings", True, "embedding_quality", "below its budget"),
    ("brain", "reject_negative_scores", True, "negative_scores", "searches failed"),
    # The brain's store down: /health still 200, its body says degraded and names neo4j.
    ("brain", "store_down", True, "service_health", "status=degraded; neo4j=unhealthy"),
]
AFTER_FLOW = ("consistency", "isolation")
ALL = [
    "service_health",
    "flow",
    "consistency",
    "error_propagation",
    "isolation",
    "embedding_quality",
    "embedding_behaviour",
    "negative_scores",
    "clustering",
    "character_story",
]


def test_all_off_passes(sandbox: Sandbox, tmp_path: Path) -> None:
    results = run_checks(sandbox, ALL, tmp_path)
    failing = {k: (r.status, r.detail) for k, r in results.items() if r.status not in (CheckStatus.PASS,)}
    assert failing == {"character_story": (CheckStatus.SKIP, failing["character_story"][1])}
    assert "stdio" in failing["character_story"][1]
    assert results["embedding_quality"].measured["ndcg_at_10"] > 0.6
    assert len(results["error_propagation"].measured["seconds"]) == 2  # both outages were exercised


def test_the_optional_character_story_extension_runs_when_named(sandbox: Sandbox, tmp_path: Path) -> None:
    results = run_checks(sandbox, ["character_story"], tmp_path, characters_service="characters", story_service="story")
    assert results["character_story"].status == CheckStatus.PASS, results["character_story"].detail


@pytest.mark.parametrize(("service", "switch", "value", "failing", "words"), MATRIX, ids=[m[1] for m in MATRIX])
def test_switch_fails_its_check(
    sandbox: Sandbox, tmp_path: Path, service: str, switch: str, value: Any, failing: str, words: str
) -> None:
    assert switch in fault_switch_names(service)
    setup = ["flow"] if failing in AFTER_FLOW else []
    results = run_checks(sandbox, [failing], tmp_path, faults={service: {switch: value}}, setup=setup)
    if setup:
        assert results["flow"].status == CheckStatus.PASS, results["flow"].detail
    result = results[failing]
    assert result.status == CheckStatus.FAIL, (result.status, result.detail)
    assert words in result.detail, result.detail


# celery-redis 56b07f35 as it runs: these four defects are all on in the real service.
REAL_SERVICE = {"brain_client": "upstream", "status_404": True, "cancel_unknown_ok": True, "cancel_errors_as_500": True}


def test_the_real_services_defects_together_give_the_verdicts_measured_on_it(sandbox: Sandbox, tmp_path: Path) -> None:
    """Notebook 60 against the real celery-redis (run from a scratch checkout on this sandbox's Redis
    and brain) ended: flow fail (silent success, no brain data), consistency fail (status 404, cancel
    500, unknown id cancelled), error_propagation fail (silent success), isolation pass. The stand-in
    with the real defects on must end the same way."""
    ids = ["flow", "consistency", "error_propagation", "isolation"]
    results = run_checks(sandbox, ids, tmp_path, faults={"taskservice": REAL_SERVICE})
    verdicts = {k: r.status for k, r in results.items()}
    assert verdicts == {
        "flow": CheckStatus.FAIL,
        "consistency": CheckStatus.FAIL,
        "error_propagation": CheckStatus.FAIL,
        "isolation": CheckStatus.PASS,
    }, {k: r.detail for k, r in results.items()}
    assert "silent success" in results["flow"].detail and "no brain data" in results["flow"].detail
    for words in ("status route does not know", "-> 500", "never issued"):
        assert words in results["consistency"].detail
    assert results["error_propagation"].detail.count("silent success") == 2
