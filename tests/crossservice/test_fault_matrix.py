"""Every defect switch of the cross-service stand-ins makes its named check fail with a detail
naming the defect; with every switch off all checks pass (one sandbox for the module)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from workbook.checks import CheckStatus
from workbook.sandbox import Sandbox, fault_switch_names

from ._support import run_checks

# (service, switch, checks run with the switch on, the check that must fail, words its detail must
# contain). The flow check runs first without the switch wherever a later check needs its data.
MATRIX = [
    ("characters", "partial_write", ["flow"], "flow", "brain registration lost"),
    ("characters", "drop_request_id", ["flow"], "flow", "correlation id dropped"),
    ("characters", "no_rollback_on_brain_error", ["error_propagation"], "error_propagation", "answered 500"),
    ("characters", "stale_embedding_on_update", ["consistency"], "consistency", "stale embedding"),
    ("story", "keep_deleted_characters", ["consistency"], "consistency", "dangling reference"),
    ("brain", "leak_projects", ["isolation"], "isolation", "leaks"),
    ("brain", "unrelated_embeddings", ["embedding_quality"], "embedding_quality", "below its budget"),
]


def test_all_off_passes(sandbox: Sandbox, tmp_path: Path) -> None:
    ids = [
        "flow",
        "consistency",
        "error_propagation",
        "isolation",
        "embedding_quality",
        "embedding_behaviour",
        "clustering",
    ]
    results = run_checks(sandbox, ids, tmp_path)
    assert {k: (r.status, r.detail) for k, r in results.items() if r.status != CheckStatus.PASS} == {}
    assert results["embedding_quality"].measured["ndcg_at_10"] > 0.6
    assert results["error_propagation"].measured["seconds"]["job with story down"] > 0  # the job hop ran


@pytest.mark.parametrize(("service", "switch", "ids", "failing", "words"), MATRIX, ids=[m[1] for m in MATRIX])
def test_switch_fails_its_check(
    sandbox: Sandbox, tmp_path: Path, service: str, switch: str, ids: list[str], failing: str, words: str
) -> None:
    assert switch in fault_switch_names(service)
    setup = ["flow"] if failing in ("consistency", "error_propagation", "isolation") else []
    results = run_checks(sandbox, ids, tmp_path, faults={service: {switch: True}}, setup=setup)
    if setup:
        assert results["flow"].status == CheckStatus.PASS, results["flow"].detail
    result = results[failing]
    assert result.status == CheckStatus.FAIL, (result.status, result.detail)
    assert words in result.detail, result.detail


def test_brain_down_answers_503_and_writes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    """The condition itself (no defect switch): the check passes because the services handle it."""
    results = run_checks(sandbox, ["error_propagation"], tmp_path, setup=["flow"])
    assert results["error_propagation"].status == CheckStatus.PASS, results["error_propagation"].detail


def test_sdk_result_shapes_are_not_defects(sandbox: Sandbox, tmp_path: Path) -> None:
    """The brain's shape options (FastMCP results, distance ranking, log notifications, server pings)
    are correct behaviour: every check still passes, in the services and in the notebook's client."""
    options = sandbox.outputs["brain"]["admin_url"] + "/_sandbox/options"
    shapes = {"result_shape": "fastmcp", "ranking": "distance", "log_notifications": True, "server_pings": True}
    assert httpx.put(options, json=shapes, timeout=5).status_code == 200
    try:
        ids = ["flow", "consistency", "isolation", "embedding_quality", "clustering"]
        results = run_checks(sandbox, ids, tmp_path)
    finally:
        httpx.delete(options, timeout=5)
    assert {k: r.detail for k, r in results.items() if r.status != CheckStatus.PASS} == {}
