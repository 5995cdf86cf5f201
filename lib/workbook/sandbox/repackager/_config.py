"""The repackaging platform's configuration, from environment variables (names as the real
platform's settings: REDIS_URL, TEMP_DIR, SCRIPTS_DIR, PIP_MIRROR_URL, ...)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .._faults import time_scale_from_env

APP_NAME = "Dify Plugin Repackaging Service"
APP_VERSION = "1.0.0"
API_V1_STR = "/api/v1"
QUEUE = "celery"  # the real platform sets no queue: Celery's default
TASK_PREFIX = "app.workers.celery_app."
WORKERS_ENV = "REPACKAGER_WORKERS"
LINE_S_ENV = "REPACKAGER_LINE_S"
RATE_ENV = "RATE_LIMIT_PER_MINUTE"


@dataclass(frozen=True)
class Settings:
    redis_url: str  # with the password inside when Redis has one, as the platform's REDIS_URL
    temp_dir: Path
    scripts_dir: Path
    index_url: str
    allowed_domains: tuple[str, ...]
    workers: tuple[str, ...]
    time_scale: float = 1.0
    rate_limit_per_minute: int = 30
    file_retention_hours: int = 24
    file_retention_days: int = 7
    ws_heartbeat_interval_s: float = 30.0
    line_s: float = 1.0  # seconds per line of the repackaging script's output, before scaling
    http_timeout_s: float = 30.0
    http_read_timeout_s: float = 60.0

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("REPACKAGER_HOME", "/tmp/repackager"))
        return cls(
            redis_url=os.environ["REDIS_URL"],
            temp_dir=Path(os.environ.get("TEMP_DIR", str(home / "temp"))),
            scripts_dir=Path(os.environ.get("SCRIPTS_DIR", str(home / "scripts"))),
            index_url=os.environ["PIP_MIRROR_URL"].rstrip("/"),
            allowed_domains=tuple(json.loads(os.environ.get("ALLOWED_DOWNLOAD_DOMAINS", '["127.0.0.1"]'))),
            workers=tuple(name for name in os.environ.get(WORKERS_ENV, "").split(",") if name),
            time_scale=time_scale_from_env(),
            rate_limit_per_minute=int(os.environ.get(RATE_ENV, "30")),
            line_s=float(os.environ.get(LINE_S_ENV, "1.0")),
        )

    def scaled(self, seconds: float) -> float:
        """Sandbox time: a wait of `seconds` on the real platform."""
        return seconds / self.time_scale

    @property
    def switches_file(self) -> Path:
        return self.temp_dir.parent / "switches.json"

    @property
    def rate_window_s(self) -> float:
        return self.scaled(60.0)

    @property
    def record_ttl_s(self) -> int:
        return self.file_retention_hours * 3600
