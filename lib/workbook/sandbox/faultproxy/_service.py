"""The launcher's factory for the fault proxy: an API socket and one proxy per proxied service."""

from __future__ import annotations

import json
import sys

from .._faults import no_faults
from .._spec import ServiceContext, ServiceSpec

NAME = "faultproxy"
REDIS_PROXY = "redis"

# The proxy is the fault injector, not a thing under test: it has no defect switches.
faults = no_faults


def service(ctx: ServiceContext) -> ServiceSpec:
    redis = ctx.outputs["redis"]
    api = ctx.listening_socket()
    api_url = f"http://127.0.0.1:{api.getsockname()[1]}"
    redis_listen = f"127.0.0.1:{ctx.free_port()}"
    proxies = [
        {"name": REDIS_PROXY, "listen": redis_listen, "upstream": f"{redis['host']}:{redis['port']}", "enabled": True}
    ]
    config = ctx.service_dir(NAME) / "proxies.json"
    config.write_text(json.dumps(proxies, indent=2))
    return ServiceSpec(
        name=NAME,
        argv=[
            sys.executable,
            "-m",
            "workbook.sandbox.faultproxy",
            "--api-fd",
            str(api.fileno()),
            "--config",
            str(config),
        ],
        ready_url=f"{api_url}/version",
        outputs={
            "url": api_url,
            "admin_url": api_url,
            "redis_proxy": REDIS_PROXY,
            "redis_listen": redis_listen,
            "redis_url": f"redis://{redis_listen}/0",
        },
        ready_timeout_s=20.0,
        stop_timeout_s=3.0,
        sockets=[api],
    )
