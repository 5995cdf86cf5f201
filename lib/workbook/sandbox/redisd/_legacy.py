"""The old `tasks` stand-in (notebook 60's orchestrator until it is retired) reads the Redis
password variable from the `redis` outputs unconditionally. With Redis now passwordless by
default, this adapter hands it an empty password variable (no AUTH is sent for an empty password),
so it keeps running unchanged. Delete with `sandbox/tasks/`.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from .. import tasks
from .._spec import ServiceContext, ServiceSpec

EMPTY_PASSWORD_ENV = "SANDBOX_TASKS_REDIS_NO_PASSWORD"


def _service(ctx: ServiceContext) -> ServiceSpec:
    redis = ctx.outputs["redis"]
    if "password_env" in redis:
        return tasks.service(ctx)
    shim = dataclasses.replace(
        ctx,
        outputs={**ctx.outputs, "redis": {**redis, "password_env": EMPTY_PASSWORD_ENV}},
        secrets={**ctx.secrets, EMPTY_PASSWORD_ENV: ""},
    )
    return tasks.service(shim)


TASKS = SimpleNamespace(service=_service, faults=tasks.faults)
