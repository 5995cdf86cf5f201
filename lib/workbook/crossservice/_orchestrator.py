"""The orchestrator hop: the task API's "produce scene" job (`POST /tasks`, poll, read the result).

The task API (`workbook.sandbox.tasks` in the sandbox) runs each job as a Celery task; the
submission's `correlation_id` travels in the Celery message headers to the worker, whose job
calls the story and character services with it as `X-Request-ID`. The job's result file
(`scene.json`) names the project, the story, and each cast member's id and description hash.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from ._http import Rest

JOB_TYPE = "produce_scene"
TERMINAL = ("SUCCESS", "FAILURE")


@dataclass(frozen=True)
class JobOutcome:
    task_id: str
    state: str
    body: dict[str, Any]
    scene: dict[str, Any] | None
    elapsed_s: float
    submit_status: int
    error: str = ""
    started_at: float = 0.0  # wall clock, for the waterfall


def run_scene_job(
    rest: Rest,
    tasks_url: str,
    *,
    project_id: str,
    story_id: str,
    story_url: str,
    characters_url: str,
    rid: str,
    timeout_s: float,
) -> JobOutcome:
    """Submit, poll until a terminal state or `timeout_s` (bounded), fetch the scene on success."""
    started, wall = time.perf_counter(), time.time()
    params = {"project_id": project_id, "story_id": story_id, "story_url": story_url, "characters_url": characters_url}
    reply = rest.call(
        "POST", f"{tasks_url}/tasks", rid=rid, json_body={"type": JOB_TYPE, "params": params, "correlation_id": rid}
    )
    if reply.status != 202 or not isinstance(reply.body, dict):
        return JobOutcome(
            "", "NOT_SUBMITTED", {}, None, time.perf_counter() - started, reply.status, reply.describe(), wall
        )
    task_id = str(reply.body["task_id"])
    body: dict[str, Any] = {}
    deadline = started + timeout_s
    delay = 0.05
    while time.perf_counter() < deadline:
        state = rest.call("GET", f"{tasks_url}/tasks/{task_id}", rid=rid)
        body = state.body if isinstance(state.body, dict) else {}
        if body.get("state") in TERMINAL or body.get("stuck"):
            break
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    state_name = str(body.get("state", "PENDING"))
    if state_name != "SUCCESS":
        error = str(body.get("error") or body.get("stuck_reason") or f"no terminal state within {timeout_s:g} s")
        return JobOutcome(task_id, state_name, body, None, time.perf_counter() - started, reply.status, error, wall)
    scene = json.loads(rest.raw(f"{tasks_url}/tasks/{task_id}/result"))
    return JobOutcome(task_id, state_name, body, scene, time.perf_counter() - started, reply.status, "", wall)
