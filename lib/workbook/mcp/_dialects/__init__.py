"""The brain's WebSocket dialects, one module each behind `_brain.BrainSession`: `tool_json` (the
movie brain's flat `{"tool": ...}` envelope) and `mcp_jsonrpc` (MCP, JSON-RPC 2.0); `_select`
holds the registry and `auto`'s one-round-trip detection."""

from ._select import AUTO, DIALECTS, EITHER, PROTOCOLS, Detected, detect, dialect_class, tools_for

__all__ = ["AUTO", "DIALECTS", "EITHER", "PROTOCOLS", "Detected", "detect", "dialect_class", "tools_for"]
