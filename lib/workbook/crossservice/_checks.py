"""The checks of notebook 60, declared once (title, service, severity, remedy, key figures)."""

from __future__ import annotations

from ..checks import CheckSpec, Severity

CHECKS: dict[str, CheckSpec] = {
    "service_health": CheckSpec(
        title="The task service and the brain say they are healthy: their health bodies read, not only the status",
        service="brain",
        severity=Severity.MAJOR,
        figures=(),
    ),
    "flow": CheckSpec(
        title="A task for project A: API -> worker -> brain -> result -> webhook; the brain's own record shows the hop",
        service="taskservice",
        severity=Severity.CRITICAL,
        remedy="Call the brain in its own dialect and fail the task when the call fails; send the webhook",
        figures=("flow_total_s", "webhook_after_s"),
    ),
    "consistency": CheckSpec(
        title="The status route, the task list and the webhook agree on a task; cancel answers say what happened",
        service="taskservice",
        severity=Severity.MAJOR,
        remedy="Answer status from the stored task; 404 unknown ids; 400 (with the reason) for finished tasks",
        figures=("status_route",),
    ),
    "error_propagation": CheckSpec(
        title="With the brain down or refusing, a task fails (or says degraded) within a bound: no silent success",
        service="taskservice",
        severity=Severity.CRITICAL,
        remedy="Let a failed brain call fail the task (or mark the result degraded) instead of swallowing it",
        figures=("seconds",),
    ),
    "isolation": CheckSpec(
        title="Projects A/B via the brain's tools, the workers and the task lists: nothing crosses; what a key reaches",
        service="taskservice",
        severity=Severity.CRITICAL,
        remedy="Filter every list and every similarity search by project",
        figures=("failed_cells",),
    ),
    "embedding_quality": CheckSpec(
        title="Retrieval on the evaluation set meets its budget (nDCG@10, Recall@1/5, MRR@10); control near chance",
        service="brain",
        severity=Severity.MAJOR,
        remedy="Check which model the brain loaded and that queries and documents go through it",
        figures=("ndcg_at_10", "recall_at_1", "mrr", "control_ndcg_at_10"),
    ),
    "embedding_behaviour": CheckSpec(
        title="Same text gives the same ranking, a long description is still found, create and search latency",
        service="brain",
        severity=Severity.MINOR,
        remedy="Make embedding deterministic; do not truncate descriptions; profile the model and the store",
        figures=("embed_p50_ms", "query_p50_ms"),
    ),
    "negative_scores": CheckSpec(
        title="Projects whose characters score below zero for a query still answer the search",
        service="brain",
        severity=Severity.MAJOR,
        remedy="Clamp or allow negative weighted scores instead of failing the whole search",
        figures=("failed",),
    ),
    "clustering": CheckSpec(
        title="Characters of one group are closer to each other than to other groups (silhouette, nearest centroid)",
        service="brain",
        severity=Severity.MINOR,
        remedy="A model that cannot separate archetypes casts badly: compare models on the evaluation set",
        figures=("silhouette", "centroid_accuracy"),
    ),
    "character_story": CheckSpec(
        title="Optional REST extension: a character created over REST is cast by the story service under the same id",
        service="characters",
        severity=Severity.MINOR,
        remedy="Register characters with the brain and cast through its similarity search",
        figures=(),
    ),
}
