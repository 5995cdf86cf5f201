"""The launcher's factory for the character service: one pre-bound loopback socket, a SQLite file."""

from __future__ import annotations

import sys

from .._spec import ServiceContext, ServiceSpec

NAME = "characters"


def service(ctx: ServiceContext) -> ServiceSpec:
    brain = ctx.outputs["brain"]
    sock = ctx.listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    database = ctx.service_dir(NAME) / "characters.sqlite3"
    return ServiceSpec(
        name=NAME,
        argv=[
            sys.executable,
            "-m",
            "workbook.sandbox.characters",
            "--fd",
            str(sock.fileno()),
            "--database",
            str(database),
            "--brain-ws-url",
            brain["mcp_url"],
        ],
        ready_url=f"{url}/health",
        outputs={"url": url, "admin_url": url},
        sockets=[sock],
        stop_timeout_s=5.0,
    )
