"""The launcher's factory for the story service: one pre-bound loopback socket."""

from __future__ import annotations

import sys

from .._spec import ServiceContext, ServiceSpec

NAME = "story"


def service(ctx: ServiceContext) -> ServiceSpec:
    sock = ctx.listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    return ServiceSpec(
        name=NAME,
        argv=[
            sys.executable,
            "-m",
            "workbook.sandbox.story",
            "--fd",
            str(sock.fileno()),
            "--brain-ws-url",
            ctx.outputs["brain"]["mcp_url"],
            "--characters-url",
            ctx.outputs["characters"]["url"],
        ],
        ready_url=f"{url}/health",
        outputs={"url": url, "admin_url": url},
        sockets=[sock],
        stop_timeout_s=5.0,
    )
