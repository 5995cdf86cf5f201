"""Run one task and collect what every side says about it: the submission's answer, the status
route polled until the end, the webhook the receiver got. No verdict here."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ._taskservice import Reply, TaskService, TaskView
from ._webhooks import Delivery, WebhookReceiver

POLL_S = 0.2


@dataclass
class TaskOutcome:
    project_id: str
    prompt: str
    nonce: str
    submitted: Reply
    task_id: str
    started_at: float  # wall clock, just before the submission
    ended_at: float = 0.0  # wall clock, when the first end was seen (webhook or status)
    webhook: Delivery | None = None
    webhook_view: TaskView | None = None
    statuses: list[tuple[float, int, str]] = field(default_factory=list)  # (seconds, http, word)
    last_status: Reply | None = None
    status_view: TaskView | None = None

    @property
    def end(self) -> TaskView | None:
        """The end as the webhook says it, else as the status route says it."""
        if self.webhook_view is not None and self.webhook_view.terminal:
            return self.webhook_view
        return self.status_view if self.status_view is not None and self.status_view.terminal else None

    @property
    def seconds(self) -> float:
        return (self.ended_at or time.time()) - self.started_at

    def evidence(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "project_id": self.project_id,
            "submit": self.submitted.describe(),
            "webhook": self.webhook.body if self.webhook else None,
            "webhook_after_s": round(self.webhook.at - self.started_at, 3) if self.webhook else None,
            "statuses": self.statuses[-8:],
            "last_status": self.last_status.describe() if self.last_status else None,
        }


def new_nonce(label: str) -> str:
    return f"wb-{label}-{uuid.uuid4().hex[:10]}"


def run_task(
    service: TaskService,
    receiver: WebhookReceiver,
    project_id: str,
    prompt: str,
    *,
    nonce: str,
    timeout_s: float,
    webhook_grace_s: float,
) -> TaskOutcome:
    """Submit, then wait (bounded by `timeout_s`) until the webhook arrives; poll the status route
    meanwhile. Once the status route reports an end, the webhook gets `webhook_grace_s` more."""
    started = time.time()
    submitted = service.submit(project_id, prompt, receiver.url_for(nonce))
    outcome = TaskOutcome(project_id, prompt, nonce, submitted, service.submitted_id(submitted), started)
    if not outcome.task_id:
        return outcome
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        delivery = receiver.wait(nonce, POLL_S)
        if delivery is not None:
            outcome.webhook = delivery
            outcome.webhook_view = service.webhook_view(delivery.body) if isinstance(delivery.body, dict) else None
            outcome.ended_at = outcome.ended_at or delivery.at
            _poll(service, outcome)
            break
        _poll(service, outcome)
        if outcome.status_view is not None and outcome.status_view.terminal:
            outcome.ended_at = outcome.ended_at or time.time()
            deadline = min(deadline, time.monotonic() + webhook_grace_s)
    return outcome


def _poll(service: TaskService, outcome: TaskOutcome) -> None:
    reply = service.status(outcome.task_id)
    view = service.status_view(reply)
    outcome.last_status, outcome.status_view = reply, view
    outcome.statuses.append((round(time.time() - outcome.started_at, 3), reply.status, view.status if view else ""))
