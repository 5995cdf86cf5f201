"""Brain-service stand-in: a replica of the movie platform's brain (jomapps/mcp-brain-service
d15715b) on one HTTP port, plus JSON-RPC MCP over WebSocket at `/mcp`.

The real brain's dialect: WebSocket at `/` with the flat `{"tool": NAME, ...arguments}` envelope
(`_tooljson`), tools `create_character` (project_id, name, personality_description,
appearance_description; server-made uuid4 id) and `find_similar_characters` (project_id, query;
at most 10 `{id, name, similarity_score}`, score `0.7 * cos(personality) + 0.3 * cos(appearance)`),
`GET /`, `GET /health` (always 200, `healthy | degraded`, components neo4j and jina),
`GET /api/v1/health` and the REST routes under `/api/v1` with the bearer key (`_rest`). The
graph database is an in-memory store (`_store`); the embedding API is a local model (`_embeddings`:
USE-m3 by default) behind the real client's behaviour (`_characters`).

Outputs: `url` (http://127.0.0.1:P), `ws_url` (ws://127.0.0.1:P/, tool-json), `mcp_url`
(ws://127.0.0.1:P/mcp), `health_url` (…/health), `admin_url` (http://127.0.0.1:A: `/health`,
`/_sandbox/stats`, `/_sandbox/faults`, `/_sandbox/options`, `/_sandbox/requests`).
Secret: `SANDBOX_BRAIN_API_KEY` (given to the process as the real `BRAIN_SERVICE_API_KEY`).
Fault switches (`_switches.py`): the real brain's `reject_negative_scores`, `store_down`,
`embedding_provider_hangs`, `leak_projects`, and `added_latency_ms`, `drop_connections`,
`error_rate`, `hide_tool_argument`, `misrank_results`, `accept_invalid_tool_calls`,
`wrong_error_codes`, `refuse_reconnects`, `unrelated_embeddings`.
Shape options of `/mcp` (how MCP Python SDK servers answer; never a defect; `_options.py`).

Kinder than the real brain: no network hop to an embedding API (the health probe's embedding is
computed once instead of one billed call per request), no Neo4j GDS plugin needed for REST search,
an intermittent provider failure (`error_rate`) fails at once instead of after the client's
back-off. The package exports the launcher contract only (`service`, `faults`).
"""

from ._service import service
from ._switches import BrainFaults as faults

__all__ = ["faults", "service"]
