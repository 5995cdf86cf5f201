"""The task service stand-in answers as jomapps/celery-redis 56b07f35 does where the workbook
measured the real one (auth, envelopes, validation, routes, storage layout, Celery names and queues,
webhooks), and each switch restores the real defect it names."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from celery import Celery

from workbook import crossservice as x
from workbook.sandbox import Sandbox, clear_faults, set_faults


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    key = sandbox.secrets["SANDBOX_TASKSERVICE_API_KEY"]
    with httpx.Client(base_url=sandbox.outputs["taskservice"]["url"], headers={"X-API-Key": key}, timeout=20) as client:
        yield client
    clear_faults(sandbox.outputs["taskservice"]["admin_url"])


def submit(api: httpx.Client, callback: str, project: str = "p1", **fields: Any) -> dict[str, Any]:
    body = {"project_id": project, "task_type": "generate_image", "task_data": {"prompt": "a knight"}, **fields}
    reply = api.post("/api/v1/tasks/submit", json={**body, "callback_url": callback})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def test_auth_envelopes_and_validation_as_measured(api: httpx.Client, sandbox: Sandbox) -> None:
    url = sandbox.outputs["taskservice"]["url"]
    assert httpx.get(url + "/health").json()["status"] == "healthy"  # open, static
    missing = httpx.post(url + "/api/v1/tasks/submit", json={})
    assert missing.status_code == 401 and missing.json()["error"] == "API key required in X-API-Key header"
    assert set(missing.json()) == {"error", "message", "timestamp"}
    wrong = httpx.get(url + "/api/v1/projects/p/tasks", headers={"X-API-Key": "test-api-key"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "Invalid API key"  # the generated key only
    bad = api.post("/api/v1/tasks/submit", json={"project_id": "bad id", "task_type": "x", "task_data": {}})
    assert bad.status_code == 422 and [e["loc"][-1] for e in bad.json()["detail"]] == ["project_id", "task_type"]
    unrouted = api.post(
        "/api/v1/tasks/submit", json={"project_id": "p", "task_type": "render_animation", "task_data": {}}
    )
    assert (unrouted.status_code, unrouted.json()["error"]) == (400, "Unsupported task type: TaskType.RENDER_ANIMATION")
    assert api.get("/api/v1/tasks/nope/status").json()["error"] == "Invalid task ID format. Must be a valid UUID."
    assert api.get("/api/v1/nothing").json() == {"detail": "Not Found"}
    assert api.get("/api/v1/projects/p/tasks", params={"limit": 101}).status_code == 422


def test_a_task_on_the_wire_in_storage_and_as_a_webhook(api: httpx.Client, sandbox: Sandbox) -> None:
    receiver = x.WebhookReceiver()
    try:
        made = submit(api, receiver.url_for("w1"), project="wire-p")
        assert made["status"] == "processing" and made["estimated_duration"] == 300
        hook = receiver.wait("w1", 20)
    finally:
        receiver.close()
    assert hook is not None and hook.headers["User-Agent"] == "AI-Movie-Task-Service/1.0"
    assert hook.body["status"] == "completed" and hook.body["project_id"] == "wire-p"
    out = sandbox.outputs["taskservice"]
    password = os.environ.get(out["password_env"], "") if out["password_env"] else None
    stored = redis.Redis.from_url(out["redis_url"], password=password or None, decode_responses=True)
    fields = stored.hgetall(f"task:{made['task_id']}")
    assert fields["status"] == "completed" and json.loads(fields["result"]) == hook.body["result"]
    assert fields["priority"] == "2" and made["task_id"] in stored.smembers("project_tasks:wire-p")
    meta = redis.Redis.from_url(out["result_backend_url"], password=password or None).get(
        f"celery-task-meta-{made['task_id']}"
    )
    assert meta is not None
    status = api.get(f"/api/v1/tasks/{made['task_id']}/status").json()
    assert status["status"] == "completed" and status["result"]["metadata"] == hook.body["result"]


def test_celery_names_queues_and_settings(sandbox: Sandbox) -> None:
    out = sandbox.outputs["taskservice"]
    password = os.environ.get(out["password_env"], "") if out["password_env"] else ""
    broker = out["redis_url"].replace("redis://", f"redis://:{password}@") if password else out["redis_url"]
    app = Celery(broker=broker)
    try:
        inspect = app.control.inspect(timeout=2.0)
        registered = inspect.registered() or {}
        queues = inspect.active_queues() or {}
        conf = (inspect.conf() or {}).get(out["worker"], {})
    finally:
        app.close()
    assert set(registered) == {out["worker"]}
    assert {
        "app.tasks.image_tasks.process_image_generation",
        "app.tasks.video_tasks.process_video_generation",
        "app.tasks.audio_tasks.process_audio_generation",
        "app.tasks.evaluation_tasks.evaluate_department",
    } <= set(registered[out["worker"]])
    assert {q["name"] for q in queues[out["worker"]]} == set(out["queues"].split(","))
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"] and conf["worker_prefetch_multiplier"] == 1
    assert conf["task_serializer"] == "json" and not conf.get("task_track_started")


def test_switches_restore_the_real_defects(api: httpx.Client, sandbox: Sandbox) -> None:
    admin = sandbox.outputs["taskservice"]["admin_url"]
    receiver = x.WebhookReceiver()
    try:
        done = submit(api, receiver.url_for("s1"), project="sw-a")
        assert receiver.wait("s1", 20) is not None
        task = done["task_id"]
        assert api.delete(f"/api/v1/tasks/{uuid.uuid4()}").status_code == 404
        assert api.delete(f"/api/v1/tasks/{task}").json()["error"].endswith("cannot be cancelled")
        set_faults(admin, {"status_404": True, "cancel_unknown_ok": True, "cancel_errors_as_500": True})
        assert api.get(f"/api/v1/tasks/{task}/status").json()["error"] == "Task not found or status unavailable"
        assert api.delete(f"/api/v1/tasks/{uuid.uuid4()}").json()["status"] == "cancelled"
        failed = api.delete(f"/api/v1/tasks/{task}")
        assert (failed.status_code, failed.json()["error"]) == (500, "Failed to cancel task: ")  # as measured
        set_faults(admin, {"project_list_leak": True})
        assert task in {t["task_id"] for t in api.get("/api/v1/projects/sw-other/tasks").json()["tasks"]}
        clear_faults(admin)
        set_faults(admin, {"brain_client": "upstream"})
        upstream = submit(api, receiver.url_for("s2"), project="sw-a")
        hook = receiver.wait("s2", 30)
        assert hook is not None and hook.body["status"] == "completed"  # the silent success, reproduced
        assert "characters" not in hook.body["result"] and hook.body["result"]["similar_images_used"] == 0
        assert upstream["task_id"] == hook.body["task_id"]
        set_faults(admin, {"brain_client": None, "no_webhook": True})
        submit(api, receiver.url_for("s3"), project="sw-a")
        time.sleep(1.5)
        assert receiver.deliveries("s3") == []
    finally:
        receiver.close()
    with pytest.raises(httpx.HTTPStatusError):
        set_faults(admin, {"brain_client": "jsonrpc"})  # a value it does not know is refused


def test_upstream_status_route_waits_out_its_brain_back_off(api: httpx.Client, sandbox: Sandbox) -> None:
    """Measured on the real service with the brain unreachable: every status call spent 6.0 s (three
    connection attempts, 2 s and 4 s apart) before answering; the sandbox runs 10x faster."""
    admin = sandbox.outputs["taskservice"]["admin_url"]
    httpx.put(admin + "/_sandbox/options", json={"brain_url": "http://127.0.0.1:9"}, timeout=5).raise_for_status()
    set_faults(admin, {"brain_client": "upstream"})
    try:
        started = time.perf_counter()
        reply = api.get(f"/api/v1/tasks/{uuid.uuid4()}/status")
        waited = time.perf_counter() - started
    finally:
        httpx.delete(admin + "/_sandbox/options", timeout=5)
    assert reply.status_code == 404 and waited >= 0.6 * 0.95, waited
