"""The launcher's factory for the `redis` stand-in: a Redis port, an admin socket, and a password
only when one is asked for.

Like the repackaging platform's own compose files (seed 003), Redis runs WITHOUT a password by
default. Set `WORKBOOK_REDIS_REQUIREPASS=1` in the launcher's environment for one: then a generated
password is set as `requirepass`, published as the secret `SANDBOX_REDIS_PASSWORD` and named by
the output `password_env`; without one neither exists (clients read "no password").
"""

from __future__ import annotations

import os
import sys

from .._faults import no_faults
from .._spec import ServiceContext, ServiceSpec

NAME = "redis"
PASSWORD_ENV = "SANDBOX_REDIS_PASSWORD"
REQUIREPASS_ENV = "WORKBOOK_REDIS_REQUIREPASS"

# Redis has no defect switches of its own: faults are injected on its link (faultproxy) or by
# restarting it through the admin endpoint.
faults = no_faults


def password_wanted() -> bool:
    return os.environ.get(REQUIREPASS_ENV, "").strip().lower() in ("1", "true", "yes")


def service(ctx: ServiceContext) -> ServiceSpec:
    home = ctx.service_dir(NAME)
    port = ctx.free_port()
    admin = ctx.listening_socket()
    admin_url = f"http://127.0.0.1:{admin.getsockname()[1]}"
    password = ctx.new_secret(32) if password_wanted() else ""
    outputs = {"url": f"redis://127.0.0.1:{port}/0", "host": "127.0.0.1", "port": str(port), "admin_url": admin_url}
    secrets = {PASSWORD_ENV: password} if password else {}
    if password:
        outputs["password_env"] = PASSWORD_ENV
    return ServiceSpec(
        name=NAME,
        argv=[
            sys.executable,
            "-m",
            "workbook.sandbox.redisd",
            "--port",
            str(port),
            "--admin-fd",
            str(admin.fileno()),
            "--dir",
            str(home),
        ],
        ready_url=f"{admin_url}/health",
        outputs=outputs,
        env=dict(secrets),
        secrets=secrets,
        ready_check=lambda: _ping(port, password),
        ready_timeout_s=20.0,
        stop_timeout_s=5.0,
        sockets=[admin],
    )


def _ping(port: int, password: str) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, password=password or None, socket_timeout=1.0)
    try:
        client.ping()
    finally:
        client.close()
