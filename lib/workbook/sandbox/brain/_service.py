"""The launcher's factory for the brain stand-in: two loopback ports, nothing started."""

from __future__ import annotations

import sys

from .._faults import TIME_SCALE_ENV
from .._spec import ServiceContext, ServiceSpec

NAME = "brain"


def service(ctx: ServiceContext) -> ServiceSpec:
    """Allocate two loopback ports; start nothing (the launcher runs `argv`, with WORKBOOK_FAULTS)."""
    port, admin_port = ctx.free_port(), ctx.free_port()
    while admin_port == port:
        admin_port = ctx.free_port()
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
        env={TIME_SCALE_ENV: str(ctx.time_scale)},
        # Loading the real embedding model (when installed) takes ~8-10 s on 2 busy cores.
        ready_timeout_s=60.0,
        stop_timeout_s=5.0,
    )
