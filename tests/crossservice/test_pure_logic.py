"""Pure pieces of notebook 60 without a sandbox: the celery-redis dialect's reading of answers, the
verdict rules for a task's end and for the brain hop (with wrong answers handed over on purpose),
the webhook receiver, settings errors, the per-hop table."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from workbook import UsageError
from workbook import crossservice as x
from workbook.checks import CouldNotCheck
from workbook.crossservice._brainlog import BrainCall
from workbook.crossservice._dialects.celery_redis import CeleryRedis, CeleryRedisOptions
from workbook.crossservice._failures import outage_problems
from workbook.crossservice._flow import brain_hop_problems, task_problems
from workbook.crossservice._taskrun import TaskOutcome
from workbook.crossservice._webhooks import Delivery

A = "proj-a-t1"
OWNED = {"Sir Aldric": "b-1", "Captain Redbeard": "b-2", "Unit K-7": "b-3"}


def service(handler: Any) -> CeleryRedis:
    client = httpx.Client(base_url="http://task.test", transport=httpx.MockTransport(handler))
    return CeleryRedis(client, CeleryRedisOptions())


def outcome(result: dict[str, Any] | None, *, status: str = "completed", webhook: bool = True) -> TaskOutcome:
    tasks = service(lambda request: httpx.Response(404))
    body = {
        "task_id": "t-1",
        "project_id": A,
        "status": status,
        "result": result,
        "error": "boom" * (status != "completed"),
    }
    done = TaskOutcome(A, "p", "n", x.Reply("POST", "/submit", 201, {"task_id": "t-1"}, 0.01), "t-1", time.time() - 1)
    done.ended_at = time.time()
    if webhook:
        done.webhook = Delivery("/hook/n", body, {}, time.time())
        done.webhook_view = tasks.webhook_view(body)
    else:
        done.status_view = tasks.webhook_view(body)
    return done


class FakeRun:
    """Just what the verdict functions read: the dialect and the brain's record."""

    def __init__(self, calls: list[BrainCall] | None) -> None:
        self.tasks = service(lambda request: httpx.Response(404))
        self._calls = calls
        self.settings = type("S", (), {"error_bound_s": 5.0})()

    def brain_calls(self, since: float, until: float) -> list[BrainCall] | None:
        return self._calls


def call(ids: tuple[str, ...], *, project: str = A, error: str = "") -> BrainCall:
    return BrainCall("ws find_similar_characters", project, time.time(), 3.0, ids, error)


def result_with(*ids: str) -> dict[str, Any]:
    return {"image_url": "u", "characters": [{"id": i, "name": "n", "similarity_score": 0.5} for i in ids]}


def test_a_result_backed_by_the_brains_own_record_passes() -> None:
    run = FakeRun([call(("b-1", "b-2", "b-3"))])
    problems, _ = brain_hop_problems(run, outcome(result_with("b-1", "b-2", "b-3")), OWNED, "Sir Aldric")  # type: ignore[arg-type]
    assert problems == []


def test_a_result_claiming_brain_data_the_brain_never_produced_fails() -> None:
    """The wrong answer handed over on purpose: right ids in the result, no call in the brain's record."""
    run = FakeRun([])
    problems, _ = brain_hop_problems(run, outcome(result_with("b-1", "b-2", "b-3")), OWNED, "Sir Aldric")  # type: ignore[arg-type]
    assert any("silent success" in p and "recorded no find_similar_characters" in p for p in problems)
    # The brain answered, but other ids than the result claims:
    run = FakeRun([call(("b-2", "b-3"))])
    problems, _ = brain_hop_problems(run, outcome(result_with("b-1", "b-2", "b-3")), OWNED, "Sir Aldric")  # type: ignore[arg-type]
    assert any("did not return" in p for p in problems)


def test_without_the_brains_record_only_ids_the_brain_made_for_the_project_pass() -> None:
    run = FakeRun(None)  # live: no admin URL
    ok, _ = brain_hop_problems(run, outcome(result_with("b-1", "b-3")), OWNED, "Sir Aldric")  # type: ignore[arg-type]
    assert ok == []
    forged, _ = brain_hop_problems(run, outcome(result_with("b-1", "made-up")), OWNED, "Sir Aldric")  # type: ignore[arg-type]
    assert any("never made" in p for p in forged)
    missing, _ = brain_hop_problems(run, outcome(result_with("b-2")), OWNED, "Sir Aldric")  # type: ignore[arg-type]
    assert any("lacks Sir Aldric" in p for p in missing)
    nothing, _ = brain_hop_problems(run, outcome({"image_url": "u", "similar_images_used": 0}), OWNED, "Sir Aldric")  # type: ignore[arg-type]
    assert any("no brain data" in p for p in nothing)


def test_failed_brain_calls_behind_a_completed_task_are_a_silent_success() -> None:
    run = FakeRun([call((), error="Failed to find similar characters: Jina embedding failed")])
    problems, _ = brain_hop_problems(run, outcome(result_with()), OWNED, "Sir Aldric")  # type: ignore[arg-type]
    assert any("completed while its brain calls failed" in p for p in problems)


def test_task_end_rules() -> None:
    assert task_problems(outcome(result_with("b-1")), "flow") == []
    assert "no webhook" in task_problems(outcome(result_with("b-1"), webhook=False), "flow")[0]
    assert "ended 'failed'" in task_problems(outcome(None, status="failed"), "flow")[0]
    unsent = TaskOutcome(A, "p", "n", x.Reply("POST", "/submit", 400, {"error": "no"}, 0.01), "", time.time())
    assert "not accepted" in task_problems(unsent, "flow")[0]


def test_outage_rules() -> None:
    run = FakeRun(None)
    assert outage_problems(run, outcome(None, status="failed"), "the brain down") == []  # type: ignore[arg-type]
    silent = outage_problems(run, outcome({"image_url": "u", "similar_images_used": 0}), "the brain down")  # type: ignore[arg-type]
    assert "silent success" in silent[0]
    said_so = outage_problems(run, outcome({"brain": "degraded"}), "the brain down")  # type: ignore[arg-type]
    assert said_so == []
    hung = TaskOutcome(A, "p", "n", x.Reply("POST", "/s", 201, {"task_id": "t"}, 0.01), "t", time.time())
    assert "no outcome within 5 s" in outage_problems(run, hung, "the brain down")[0]  # type: ignore[arg-type]


def test_dialect_reads_status_lists_and_tells_its_404_from_a_missing_route() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/status") and "known" in request.url.path:
            body = {"task_id": "known", "project_id": A, "status": "completed", "result": {"metadata": {"x": 1}}}
            return httpx.Response(200, json=body)
        if request.url.path.endswith("/status"):
            return httpx.Response(
                404, json={"error": "Task not found or status unavailable", "message": "", "timestamp": ""}
            )
        if request.url.path.startswith("/api/v1/projects/"):
            page = int(request.url.params["page"])
            tasks = [{"task_id": f"t{page}"}]
            return httpx.Response(200, json={"tasks": tasks, "pagination": {"total_pages": 2}})
        return httpx.Response(404, json={"detail": "Not Found"})

    tasks = service(handler)
    view = tasks.status_view(tasks.status("known"))
    assert view is not None and view.terminal and view.result == {"x": 1}
    assert tasks.status_view(tasks.status("other")) is None  # its own 404: an answer
    assert [t["task_id"] for t in tasks.project_tasks(A)[1]] == ["t1", "t2"]
    with pytest.raises(CouldNotCheck) as missing:
        tasks.cancel("t")  # a framework 404 without its envelope: the route is not there
    assert missing.value.reason.value == "dialect" and "taskservice_options.cancel_path" in str(missing.value)


def test_auth_refusal_and_a_rejected_body_are_not_platform_defects() -> None:
    refused = service(lambda request: httpx.Response(401, json={"error": "Invalid API key"}))
    with pytest.raises(CouldNotCheck) as auth:
        refused.submit(A, "p", "http://127.0.0.1:1/hook/n")
    assert auth.value.reason.value == "auth"
    rejected = service(lambda request: httpx.Response(422, json={"detail": [{"loc": ["body", "task_type"]}]}))
    with pytest.raises(CouldNotCheck) as shape:
        rejected.submit(A, "p", "http://127.0.0.1:1/hook/n")
    assert shape.value.reason.value == "dialect" and "422" in str(shape.value)


def test_webhook_receiver_keeps_each_delivery_by_path() -> None:
    receiver = x.WebhookReceiver()
    try:
        httpx.post(receiver.url_for("n1"), json={"task_id": "t"}, timeout=5)
        got = receiver.wait("n1", 2.0)
        assert got is not None and got.body == {"task_id": "t"}
        assert receiver.wait("n2", 0.05) is None
    finally:
        receiver.close()


def test_settings_name_each_bad_value() -> None:
    with pytest.raises(UsageError) as raised:
        x.CrossServiceSettings.of(taskservice_admin_url="ftp://x", project_a="bad id!")
    text = str(raised.value)
    assert "taskservice_admin_url" in text and "project_a" in text
    with pytest.raises(UsageError, match="three different projects"):
        x.CrossServiceSettings.of(project_b="proj-a")


def test_unknown_dialect_and_profile_are_named(tmp_path: Path) -> None:
    services = {"taskservice": {"url": "http://t", "dialect": "nope"}, "brain": {"ws_url": "ws://b/"}}
    with pytest.raises(UsageError, match=r"unknown dialect 'nope'.*celery-redis"):
        x.CrossServiceRun.open(x.CrossServiceSettings.of(services=services), evidence=tmp_path)
    with pytest.raises(UsageError, match="no service profile 'taskservice'"):
        x.CrossServiceRun.open(x.CrossServiceSettings.of(services={}), evidence=tmp_path)


def test_hop_table_groups_hops() -> None:
    entries = [
        {"service": "brain", "hop": "ws find_similar_characters", "duration_ms": 10.0},
        {"service": "brain", "hop": "ws find_similar_characters", "duration_ms": 20.0},
        {"service": "taskservice", "hop": "POST submit", "duration_ms": 4.0},
    ]
    rows = {row.hop: (row.calls, row.p50_ms) for row in x.hop_table(entries).itertuples()}
    assert rows == {"brain: ws find_similar_characters": (2, 15.0), "taskservice: POST submit": (1, 4.0)}
