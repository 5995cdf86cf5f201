"""The launcher's factory for the mock external API: one pre-bound loopback socket."""

from __future__ import annotations

import sys

from .._spec import ServiceContext, ServiceSpec
from ._switches import faults

NAME = "upstream"

__all__ = ["faults", "service"]


def service(ctx: ServiceContext) -> ServiceSpec:
    sock = ctx.listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    return ServiceSpec(
        name=NAME,
        argv=[sys.executable, "-m", "workbook.sandbox.upstream", "--fd", str(sock.fileno())],
        ready_url=f"{url}/health",
        outputs={
            "url": url,
            "admin_url": url,
            "packages_url": f"{url}/packages",  # /<variant>/<name>.difypkg
            "index_url": f"{url}/simple",  # PEP 503 simple index of the packages' requirements
        },
        ready_timeout_s=20.0,
        stop_timeout_s=3.0,
        sockets=[sock],
    )
