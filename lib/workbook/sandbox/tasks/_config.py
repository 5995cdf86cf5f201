"""The task service's configuration, from environment variables the launcher sets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BROKER_URL_ENV = "TASKS_REDIS_URL"
PASSWORD_ENV_ENV = "TASKS_REDIS_PASSWORD_ENV"
UPSTREAM_URL_ENV = "TASKS_UPSTREAM_URL"
HOME_ENV = "TASKS_HOME"
WORKERS_ENV = "TASKS_WORKERS"
QUEUE = "pipeline"


@dataclass(frozen=True)
class TasksConfig:
    redis_url: str  # without password (it comes from the variable named by password_env)
    password_env: str
    upstream_url: str
    home: Path
    workers: tuple[str, ...]
    queue: str = QUEUE
    # A PENDING task older than this, with no worker consuming its queue, is reported as stuck.
    stuck_after_s: float = 2.0
    upstream_timeout_s: float = 1.0

    @classmethod
    def from_env(cls) -> TasksConfig:
        return cls(
            redis_url=os.environ[BROKER_URL_ENV],
            password_env=os.environ[PASSWORD_ENV_ENV],
            upstream_url=os.environ[UPSTREAM_URL_ENV].rstrip("/"),
            home=Path(os.environ[HOME_ENV]),
            workers=tuple(name for name in os.environ[WORKERS_ENV].split(",") if name),
        )

    @property
    def password(self) -> str:
        return os.environ.get(self.password_env, "")

    @property
    def authed_url(self) -> str:
        """The Redis URL with the password, for Celery's broker/backend settings (never logged)."""
        scheme, _, rest = self.redis_url.partition("://")
        return f"{scheme}://:{self.password}@{rest}"

    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    @property
    def temp_dir(self) -> Path:
        return self.home / "tmp"

    @property
    def switches_file(self) -> Path:
        return self.home / "switches.json"
