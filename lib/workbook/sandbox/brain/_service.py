"""The launcher's factory for the brain stand-in: two loopback listening sockets and the REST API
key, nothing started."""

from __future__ import annotations

import sys

from .._faults import TIME_SCALE_ENV
from .._spec import ServiceContext, ServiceSpec

NAME = "brain"
# The real brain reads its REST key from this variable (api_routes.py:97); kernels get it as SECRET_ENV.
API_KEY_ENV = "BRAIN_SERVICE_API_KEY"
SECRET_ENV = "SANDBOX_BRAIN_API_KEY"


def service(ctx: ServiceContext) -> ServiceSpec:
    """Bind two loopback sockets; start nothing (the launcher runs `argv`, with WORKBOOK_FAULTS)."""
    # Bound here and inherited, not port numbers: the brain loads its model for seconds before it
    # serves, long enough for another process to take a free-but-unbound port and answer /health.
    sock, admin_sock = ctx.listening_socket(), ctx.listening_socket()
    port, admin_port = sock.getsockname()[1], admin_sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    api_key = ctx.new_secret()
    return ServiceSpec(
        name=NAME,
        argv=[
            sys.executable,
            "-m",
            "workbook.sandbox.brain",
            "--fd",
            str(sock.fileno()),
            "--admin-fd",
            str(admin_sock.fileno()),
        ],
        ready_url=f"{url}/api/v1/health",
        outputs={
            "url": url,
            # The real brain's WebSocket is at the root of its HTTP port, speaking {"tool": ...}.
            "ws_url": f"ws://127.0.0.1:{port}/",
            # JSON-RPC MCP over WebSocket, on the same port.
            "mcp_url": f"ws://127.0.0.1:{port}/mcp",
            "admin_url": f"http://127.0.0.1:{admin_port}",
            "health_url": f"{url}/health",
        },
        env={TIME_SCALE_ENV: str(ctx.time_scale), API_KEY_ENV: api_key},
        secrets={SECRET_ENV: api_key},
        # Loading the real embedding model (when installed) takes ~8-10 s on 2 busy cores.
        ready_timeout_s=60.0,
        stop_timeout_s=5.0,
        sockets=(sock, admin_sock),
    )
