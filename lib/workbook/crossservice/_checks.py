"""The checks of notebook 60, declared once (title, service, severity, remedy, key figures)."""

from __future__ import annotations

from ..checks import CheckSpec, Severity

CHECKS: dict[str, CheckSpec] = {
    "flow": CheckSpec(
        title="One correlation id through characters, brain, story and orchestrator; same ids and hashes at every hop",
        service="cross-service flow",
        severity=Severity.CRITICAL,
        remedy="Follow the named hop: a write that missed the brain, a dropped X-Request-ID, a job that lost ids",
        figures=("flow_total_s", "hop_p50_ms"),
    ),
    "consistency": CheckSpec(
        title="Updates and deletes propagate: no stale embedding, no orphan embedding, no dangling reference",
        service="cross-service flow",
        severity=Severity.CRITICAL,
        remedy="Re-embed on update, delete the embedding with the row, drop deleted characters from stories",
        figures=("characters", "brain"),
    ),
    "error_propagation": CheckSpec(
        title="With a hop down, callers answer 503/424 naming it (no 500, no hang) and leave nothing half-written",
        service="cross-service flow",
        severity=Severity.MAJOR,
        remedy="Call the dependency inside the transaction and roll back on failure; map its errors to 503/424",
        figures=("seconds",),
    ),
    "isolation": CheckSpec(
        title="Project A/B x resource A/B x read/list/search/similar: no cross-project access, no vector-search leak",
        service="brain",
        severity=Severity.CRITICAL,
        remedy="Filter every read and every similarity search by project before ranking",
        figures=("failed_cells",),
    ),
    "embedding_quality": CheckSpec(
        title="Retrieval on the evaluation set meets its budget (nDCG@10, Recall@1/5, MRR); control near chance",
        service="brain",
        severity=Severity.MAJOR,
        remedy="Check which model the brain loaded and that queries and documents go through it",
        figures=("ndcg_at_10", "recall_at_1", "mrr", "control_ndcg_at_10"),
    ),
    "embedding_behaviour": CheckSpec(
        title="Same text gives the same ranking, a long text is stored whole and still found, embedding latency",
        service="brain",
        severity=Severity.MINOR,
        remedy="Make embedding deterministic; do not truncate stored descriptions; profile the model load and encode",
        figures=("embed_p50_ms", "query_p50_ms"),
    ),
    "clustering": CheckSpec(
        title="Characters of one group are closer to each other than to other groups (silhouette, nearest centroid)",
        service="brain",
        severity=Severity.MINOR,
        remedy="A model that cannot separate archetypes casts badly: compare models on the evaluation set",
        figures=("silhouette", "centroid_accuracy"),
    ),
}
