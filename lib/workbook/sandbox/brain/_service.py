"""The launcher's factory for the brain stand-in: two loopback listening sockets, nothing started."""

from __future__ import annotations

import sys

from .._faults import TIME_SCALE_ENV
from .._spec import ServiceContext, ServiceSpec

NAME = "brain"


def service(ctx: ServiceContext) -> ServiceSpec:
    """Bind two loopback sockets; start nothing (the launcher runs `argv`, with WORKBOOK_FAULTS)."""
    # Bound here and inherited, not port numbers: the brain loads its model for seconds before it
    # serves, long enough for another process to take a free-but-unbound port and answer /health.
    sock, admin_sock = ctx.listening_socket(), ctx.listening_socket()
    port, admin_port = sock.getsockname()[1], admin_sock.getsockname()[1]
    health_url = f"http://127.0.0.1:{port}/health"
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
        ready_url=health_url,
        outputs={
            "ws_url": f"ws://127.0.0.1:{port}/mcp",
            "admin_url": f"http://127.0.0.1:{admin_port}",
            "health_url": health_url,
        },
        env={TIME_SCALE_ENV: str(ctx.time_scale)},
        # Loading the real embedding model (when installed) takes ~8-10 s on 2 busy cores.
        ready_timeout_s=60.0,
        stop_timeout_s=5.0,
        sockets=(sock, admin_sock),
    )
