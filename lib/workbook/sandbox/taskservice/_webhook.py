"""Webhooks as the real service sends them (app/utils/webhook.py): POST JSON to `callback_url`
with `User-Agent: AI-Movie-Task-Service/1.0`, no signature, up to 3 attempts 1 s / 2 s apart,
success = 200/201/202/204; a webhook that never lands changes nothing about the task."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

ATTEMPTS = 3
TIMEOUT_S = 30.0
ACCEPTED = (200, 201, 202, 204)
HEADERS = {"Content-Type": "application/json", "User-Agent": "AI-Movie-Task-Service/1.0"}
log = logging.getLogger("workbook.sandbox.taskservice.webhook")


def send_webhook(url: str, payload: dict[str, Any], *, sleep: Callable[[float], None], scale: float) -> bool:
    for attempt in range(ATTEMPTS):
        try:
            response = httpx.post(url, json=payload, headers=HEADERS, timeout=TIMEOUT_S, trust_env=False)
            if response.status_code in ACCEPTED:
                log.info("webhook %s -> %s (task %s)", url, response.status_code, payload.get("task_id"))
                return True
            log.warning("webhook %s answered %s (attempt %d)", url, response.status_code, attempt + 1)
        except httpx.HTTPError as error:
            log.warning("webhook %s failed: %s (attempt %d)", url, error, attempt + 1)
        if attempt < ATTEMPTS - 1:
            sleep(2**attempt / max(scale, 1e-9))
    log.error("webhook %s: gave up after %d attempts (task %s)", url, ATTEMPTS, payload.get("task_id"))
    return False


def _stamp() -> str:
    return datetime.utcnow().isoformat() + "Z"


def success_payload(task_id: str, project_id: str, result: dict[str, Any], metadata: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "task_id": task_id,
        "project_id": project_id,
        "status": "completed",
        "result": result,
        "completed_at": _stamp(),
    }
    if metadata:
        payload["metadata"] = metadata
    return payload


def failure_payload(task_id: str, project_id: str, error: str, traceback: str, metadata: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "task_id": task_id,
        "project_id": project_id,
        "status": "failed",
        "error": error,
        "failed_at": _stamp(),
    }
    if traceback:
        payload["traceback"] = traceback[:2000]  # the real service sends its traceback to the receiver
    if metadata:
        payload["metadata"] = metadata
    return payload
