"""The task service's configuration, from the environment the launcher sets (read once, at import,
as the real service's settings are).

The real service (jomapps/celery-redis, app/config/settings.py) takes one `REDIS_URL` and derives
the Celery broker (db 0) and result backend (db 1) from it; its task storage (`task:{id}` hashes)
uses `REDIS_URL` as given. The sandbox gives it db 2 (broker and storage) and db 3 (results) of
the sandbox's Redis, so it never shares a database with notebook 50's task platform.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .._faults import time_scale_from_env

REDIS_URL_ENV = "TASKSERVICE_REDIS_URL"  # broker + task storage, without password
RESULT_URL_ENV = "TASKSERVICE_RESULT_URL"  # Celery result backend, without password
PASSWORD_ENV_ENV = "TASKSERVICE_REDIS_PASSWORD_ENV"  # name of the variable holding the password ("" = none)
API_KEYS_ENV = "API_KEY"  # comma-separated keys, as the real service reads them
BRAIN_URL_ENV = "BRAIN_SERVICE_BASE_URL"  # the brain's HTTP base URL, as the real service reads it
HOME_ENV = "TASKSERVICE_HOME"
WORKER_ENV = "TASKSERVICE_WORKER"
DEFAULT_API_KEYS = "test-api-key"
# The real worker consumes these (ecosystem.config.js, start-production.sh).
QUEUES = ("celery", "cpu_intensive", "gpu_heavy", "gpu_medium")
WORKER_NAME = "celery-redis-worker@sandbox"


@dataclass(frozen=True)
class ServiceConfig:
    redis_url: str
    result_url: str
    password_env: str
    api_keys: tuple[str, ...]
    brain_url: str
    home: Path
    worker: str = WORKER_NAME
    time_scale: float = 1.0

    @classmethod
    def from_env(cls) -> ServiceConfig:
        keys = os.environ.get(API_KEYS_ENV, DEFAULT_API_KEYS)
        return cls(
            redis_url=os.environ[REDIS_URL_ENV],
            result_url=os.environ[RESULT_URL_ENV],
            password_env=os.environ.get(PASSWORD_ENV_ENV, ""),
            # settings.get_api_keys(): split on commas, strip, drop empties
            api_keys=tuple(key.strip() for key in keys.split(",") if key.strip()),
            brain_url=os.environ.get(BRAIN_URL_ENV, "").rstrip("/"),
            home=Path(os.environ[HOME_ENV]),
            worker=os.environ.get(WORKER_ENV, WORKER_NAME),
            time_scale=time_scale_from_env(),
        )

    @property
    def password(self) -> str:
        return os.environ.get(self.password_env, "") if self.password_env else ""

    def authed(self, url: str) -> str:
        """`url` with the password inside (Celery's settings take it so); unchanged without one."""
        if not self.password:
            return url
        scheme, _, rest = url.partition("://")
        return f"{scheme}://:{self.password}@{rest}"

    def seconds(self, real_s: float) -> float:
        """A wait of the real service (retry backoff), shortened by the sandbox's time scale."""
        return real_s / max(self.time_scale, 1e-9)

    @property
    def switches_file(self) -> Path:
        return self.home / "switches.json"

    @property
    def options_file(self) -> Path:
        return self.home / "options.json"
