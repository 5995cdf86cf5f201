"""The movie platform's cross-service path (issue 21, notebook 60_cross_service), on its real topology.

A task goes from the task service's API (jomapps/celery-redis) to a Celery worker, from the worker to
the brain (its `{"tool": ...}` WebSocket dialect), and back as a result and a webhook to a receiver
the workbook runs. Checks: the flow (the brain hop proven by the brain's own record, or by data only
the brain could produce), consistency of a task's views, error propagation with the brain down or
refusing (a silent success is a finding), project isolation through the brain's tools, the workers
and the task lists, and the brain's embedding quality on an evaluation set with a negative control
(`workbook.embeddings`). The task service is reached through one client interface with a dialect per
platform (`_dialects/`); the same code runs against the sandbox and live services.
"""

from ._brain import Brain, BrainError
from ._chain import check_character_story
from ._checks import CHECKS
from ._consistency import check_consistency
from ._dialects import DIALECTS
from ._failures import check_error_propagation
from ._flow import check_flow
from ._health import check_service_health
from ._hops import hop_table, waterfall
from ._isolation import check_isolation
from ._quality import (
    check_clustering,
    check_embedding_behaviour,
    check_embedding_quality,
    check_negative_scores,
)
from ._run import CrossServiceRun, close_run, describe_run
from ._settings import CrossServiceSettings
from ._taskrun import TaskOutcome, run_task
from ._taskservice import Reply, TaskService, TaskView
from ._webhooks import WebhookReceiver

__all__ = [
    "CHECKS",
    "DIALECTS",
    "Brain",
    "BrainError",
    "CrossServiceRun",
    "CrossServiceSettings",
    "Reply",
    "TaskOutcome",
    "TaskService",
    "TaskView",
    "WebhookReceiver",
    "check_character_story",
    "check_clustering",
    "check_consistency",
    "check_embedding_behaviour",
    "check_embedding_quality",
    "check_error_propagation",
    "check_flow",
    "check_isolation",
    "check_negative_scores",
    "check_service_health",
    "close_run",
    "describe_run",
    "hop_table",
    "run_task",
    "waterfall",
]
