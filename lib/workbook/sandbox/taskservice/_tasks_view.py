"""Pure pieces of the API: the Celery kwargs per task type (app/api/tasks.py:73-107), the status
body read from the stored task and Celery's state, and the cancel route's answer per state."""

from __future__ import annotations

from typing import Any

from ._models import TaskSubmissionRequest

CELERY_TO_STATUS = {"SUCCESS": "completed", "FAILURE": "failed", "REVOKED": "cancelled"}
MEDIA_FIELDS = ("image_url", "video_url", "audio_url")


def kwargs_for(task_type: str, request: TaskSubmissionRequest) -> dict[str, Any]:
    data, common = request.task_data, {"callback_url": request.callback_url, "metadata": request.metadata}
    if task_type == "generate_video":
        specific = {"scene_data": data.get("scene_data", {}), "video_params": data.get("video_params", {})}
    elif task_type == "generate_image":
        specific = {"image_prompt": data.get("prompt", ""), "image_params": data.get("image_params", {})}
    elif task_type == "process_audio":
        specific = {"audio_prompt": data.get("prompt", ""), "audio_params": data.get("audio_params", {})}
    else:  # evaluate_department
        specific = {
            "department_slug": data.get("department_slug"),
            "department_number": data.get("department_number"),
            "gather_data": data.get("gather_data", []),
            "previous_evaluations": data.get("previous_evaluations", []),
            "threshold": data.get("threshold", 80),
        }
    return {"project_id": request.project_id, **specific, **common}


def status_body(task_id: str, stored: dict[str, Any], celery_state: str) -> dict[str, Any]:
    """TaskStatusResponse as designed (models/task.py:91-101): the stored task, Celery's word on its end."""
    status = CELERY_TO_STATUS.get(celery_state) or stored.get("status") or "queued"
    result = stored.get("result") if isinstance(stored.get("result"), dict) else None
    terminal = status in ("completed", "failed", "cancelled")
    return {
        "task_id": task_id,
        "project_id": stored["project_id"],
        "status": status,
        "progress": 1.0 if status == "completed" else 0.0,
        "current_step": status,
        "result": _task_result(result) if status == "completed" and result else None,
        "error": stored.get("error") or None,
        "started_at": None,  # no STARTED state: task_track_started is not set
        "completed_at": stored.get("updated_at") if terminal else None,
    }


def _task_result(result: dict[str, Any]) -> dict[str, Any]:
    media = next((str(result[f]) for f in MEDIA_FIELDS if result.get(f)), "")
    return {"media_url": media, "payload_media_id": str(result.get("payload_media_id", "")), "metadata": result}


def cancel_answer(task_id: str, state: str, *, as_500: bool) -> tuple[int, dict[str, Any], bool | None]:
    """(status code, body or {"detail"}, revoke with terminate=? or None) for DELETE /tasks/{id}."""
    if state == "PENDING":
        body = {"message": "Task was queued and has been revoked", "previous_state": "queued"}
        return 200, {"task_id": task_id, "status": "cancelled", **body}, False
    if state == "STARTED":
        body = {"message": "Task was running and has been terminated", "previous_state": "processing"}
        return 200, {"task_id": task_id, "status": "cancelled", **body}, True
    if state == "REVOKED":
        body = {"message": "Task was already cancelled", "previous_state": "cancelled"}
        return 200, {"task_id": task_id, "status": "cancelled", **body}, None
    if state in ("SUCCESS", "FAILURE"):
        word = "completed successfully" if state == "SUCCESS" else "failed"
        detail = f"Task has already {word} and cannot be cancelled"
        if as_500:  # its own HTTPException(400) caught by `except Exception`, whose str() is "" (measured)
            return 500, {"detail": "Failed to cancel task: "}, None
        return 400, {"detail": detail}, None
    body = {"message": f"Task in state '{state}' has been revoked", "previous_state": state.lower()}
    return 200, {"task_id": task_id, "status": "cancelled", **body}, True
