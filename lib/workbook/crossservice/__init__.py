"""Cross-service flow of the movie platform (issue 11, notebook 60_cross_service).

Follows one piece of data through the character service (REST), the brain (MCP over WebSocket:
embeddings, similarity), the story service (REST) and the orchestrator (task API running Celery
jobs), under one correlation id (`X-Request-ID`, into MCP `params._meta` and Celery headers);
checks consistency, error propagation, project isolation (similarity search included) and the
brain's embedding quality on an evaluation set with a negative control (`workbook.embeddings`).
The same code runs against the sandbox and live services; only params change.
"""

from ._brain import BrainError, BrainTools, tool_payload
from ._checks import CHECKS
from ._consistency import check_consistency
from ._failures import check_error_propagation
from ._flow import check_flow
from ._hops import hop_table, waterfall
from ._isolation import check_isolation
from ._orchestrator import JobOutcome, run_scene_job
from ._quality import check_clustering, check_embedding_behaviour, check_embedding_quality
from ._run import CrossServiceRun
from ._settings import CrossServiceSettings

__all__ = [
    "CHECKS",
    "BrainError",
    "BrainTools",
    "CrossServiceRun",
    "CrossServiceSettings",
    "JobOutcome",
    "check_clustering",
    "check_consistency",
    "check_embedding_behaviour",
    "check_embedding_quality",
    "check_error_propagation",
    "check_flow",
    "check_isolation",
    "hop_table",
    "run_scene_job",
    "tool_payload",
    "waterfall",
]
