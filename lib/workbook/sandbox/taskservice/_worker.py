"""The worker side: `celery -A workbook.sandbox.taskservice._worker:app worker` loads this app,
with the real service's four routed tasks under their real names and queues.

Each task asks the brain for the project's characters that match its text (the brain's own
`find_similar_characters`, `tool-json` dialect) and returns what the real task returns plus
`characters`: the brain's answer (with the upstream client, no such field, as in the real results).
A brain failure fails the task, naming the brain. Switches:
`brain_client: upstream` replays the real client's calls instead (failures swallowed, no brain
data); `swallow_brain_errors` keeps the dialect but swallows failures as the real tasks do.
On success or failure, as BaseTaskWithBrain.on_success/on_failure: the `task:{id}` hash is
updated, a counter incremented, the webhook POSTed to `callback_url`.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from celery import Task

from .._mirror import FileValues
from ._brainclient import BrainCallFailed, UpstreamBrain, find_similar_characters
from ._celeryapp import make_celery
from ._config import ServiceConfig
from ._storage import TaskStorage
from ._switches import UPSTREAM
from ._webhook import failure_payload, send_webhook, success_payload

config = ServiceConfig.from_env()
app = make_celery(config)
switches = FileValues(config.switches_file)
options = FileValues(config.options_file)
storage = TaskStorage(config)
log = logging.getLogger("workbook.sandbox.taskservice.worker")
MEDIA = "https://media.ft.tc"


def _record(event: str, **fields: Any) -> None:
    """One JSON line per brain call on stderr: the worker's own account, kept in the sandbox log."""
    print(json.dumps({"service": "taskservice", "event": event, "at": time.time(), **fields}, default=str),
          file=sys.stderr, flush=True)  # fmt: skip


def brain_url() -> str:
    return str(options.value("brain_url") or config.brain_url)


def upstream() -> UpstreamBrain:
    return UpstreamBrain(brain_url(), sleep=time.sleep, time_scale=config.time_scale)


class BrainTask(Task):
    """BaseTaskWithBrain's hooks: storage, counters, the upstream client's context store, webhook."""

    def consult_brain(self, project_id: str, query: str, kind: str) -> tuple[dict[str, Any], int]:
        """({"characters": the brain's answer} or {} for the upstream client, whose results carry no
        such field; how many "similar" items the result should count)."""
        task_id = str(self.request.id)
        if switches.value("brain_client") == UPSTREAM:
            client = upstream()
            similar = _swallowed(lambda: client.search_similar_tasks(f"{kind} {query}", kind, 5), [])
            _swallowed(lambda: client.get_task_history(kind, 10), [])
            _swallowed(lambda: client.store_task_context(task_id, {"project_id": project_id, "query": query}), "")
            _record("brain calls (upstream client)", task_id=task_id, project_id=project_id, calls=client.calls)
            return {}, len(similar)
        try:
            characters = find_similar_characters(brain_url(), project_id, query)
        except BrainCallFailed as error:
            _record("brain call failed", task_id=task_id, project_id=project_id, error=str(error))
            if switches.on("swallow_brain_errors"):
                return {"characters": []}, 0
            raise
        _record("brain call", task_id=task_id, project_id=project_id, tool="find_similar_characters",
                results=len(characters))  # fmt: skip
        return {"characters": characters}, len(characters)

    def on_success(self, retval: Any, task_id: str, args: Any, kwargs: dict[str, Any]) -> None:
        result = retval if isinstance(retval, dict) else {"result": retval}
        storage.update_task_status(task_id, "completed", result=result)
        storage.increment_metric("completed_tasks")
        self._store_context_upstream(task_id, {"task_id": task_id, "result_summary": str(retval)[:1000]})
        url = kwargs.get("callback_url")
        if url and not switches.on("no_webhook"):
            payload = success_payload(task_id, kwargs.get("project_id", "unknown"), result, kwargs.get("metadata"))
            send_webhook(url, payload, sleep=time.sleep, scale=config.time_scale)

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: dict[str, Any], einfo: Any) -> None:
        storage.update_task_status(task_id, "failed", error=str(exc))
        storage.increment_metric("failed_tasks")
        self._store_context_upstream(task_id, {"task_id": task_id, "error": str(exc)})
        url = kwargs.get("callback_url")
        if url and not switches.on("no_webhook"):
            trace = str(getattr(einfo, "traceback", "") or "")
            payload = failure_payload(task_id, kwargs.get("project_id", "unknown"), str(exc), trace,
                                      kwargs.get("metadata"))  # fmt: skip
            send_webhook(url, payload, sleep=time.sleep, scale=config.time_scale)

    def _store_context_upstream(self, task_id: str, context: dict[str, Any]) -> None:
        if switches.value("brain_client") == UPSTREAM:
            client = upstream()
            _swallowed(lambda: client.store_task_context(task_id, context), "")
            _record("brain calls (upstream client)", task_id=task_id, calls=client.calls)


def _swallowed(call: Any, fallback: Any) -> Any:
    """The real tasks' `except Exception: logger.error(...); return <empty>`."""
    try:
        return call()
    except Exception as error:
        log.error("brain call failed (swallowed): %s", error)
        return fallback


@app.task(bind=True, base=BrainTask, name="app.tasks.image_tasks.process_image_generation", queue="gpu_medium")
def process_image_generation(
    self: BrainTask,
    project_id: str,
    image_prompt: str,
    image_params: dict[str, Any],
    callback_url: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    brain, similar = self.consult_brain(project_id, image_prompt, "ImageGenerationTask")
    task_id = self.request.id
    return {
        "task_id": task_id,
        "project_id": project_id,
        "image_url": f"{MEDIA}/images/{project_id}/{task_id}.jpg",
        "thumbnail_url": f"{MEDIA}/thumbnails/{project_id}/{task_id}_thumb.jpg",
        "prompt": image_prompt,
        "width": image_params.get("width", 1024),
        "height": image_params.get("height", 1024),
        "format": "jpg",
        "status": "completed",
        "similar_images_used": similar,
        **brain,
    }


@app.task(bind=True, base=BrainTask, name="app.tasks.video_tasks.process_video_generation", queue="gpu_heavy")
def process_video_generation(
    self: BrainTask,
    project_id: str,
    scene_data: dict[str, Any],
    video_params: dict[str, Any],
    callback_url: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    query = f"{scene_data.get('style', '')} {scene_data.get('description', '')}".strip()
    brain, similar = self.consult_brain(project_id, query, "VideoGenerationTask")
    task_id = self.request.id
    return {
        "task_id": task_id,
        "project_id": project_id,
        "scene_id": scene_data.get("scene_id"),
        "video_url": f"{MEDIA}/videos/{project_id}/{task_id}.mp4",
        "thumbnail_url": f"{MEDIA}/thumbnails/{project_id}/{task_id}.jpg",
        "duration": video_params.get("duration", 30),
        "format": "mp4",
        "status": "completed",
        "similar_videos_used": similar,
        **brain,
    }


@app.task(bind=True, base=BrainTask, name="app.tasks.audio_tasks.process_audio_generation", queue="cpu_intensive")
def process_audio_generation(
    self: BrainTask,
    project_id: str,
    audio_prompt: str,
    audio_params: dict[str, Any],
    callback_url: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    brain, similar = self.consult_brain(project_id, audio_prompt, "AudioGenerationTask")
    task_id = self.request.id
    return {
        "task_id": task_id,
        "project_id": project_id,
        "audio_url": f"{MEDIA}/audio/{project_id}/{task_id}.wav",
        "preview_url": f"{MEDIA}/previews/{project_id}/{task_id}_preview.mp3",
        "prompt": audio_prompt,
        "format": "wav",
        "status": "completed",
        "similar_audio_used": similar,
        **brain,
    }


@app.task(bind=True, base=BrainTask, name="app.tasks.evaluation_tasks.evaluate_department", queue="cpu_intensive")
def evaluate_department(
    self: BrainTask,
    project_id: str,
    department_slug: str | None,
    department_number: int | None,
    gather_data: list[dict[str, Any]],
    previous_evaluations: list[dict[str, Any]] | None = None,
    threshold: int = 80,
    callback_url: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if not gather_data:  # _create_insufficient_data_result: no brain call, rating 0
        return {"department": department_slug, "rating": 0, "evaluation_result": "fail", "characters": []}
    text = " ".join(str(item.get("content", "")) for item in gather_data if isinstance(item, dict))
    brain, _ = self.consult_brain(project_id, f"{department_slug or ''} {text}".strip(), "EvaluateDepartment")
    rating = 75 + (sum(map(ord, str(department_slug))) % 20)  # the real mock evaluator's 75-94
    return {
        "department": department_slug,
        "rating": rating,
        "evaluation_result": "pass" if rating >= threshold else "fail",
        "evaluation_summary": f"The {department_slug} department shows strong foundational work.",
        **brain,
    }
