"""The seam between notebook 50's checks and a task platform: one small client interface (create a
task, read its status, follow it, download its result, read health) and the shapes it returns.
Each platform dialect is one module in `_dialects/`, chosen by the `dialect` parameter; what varies
inside a dialect (routes, field names, state words) are its options, overridable from params.

States are read through the dialect into four canonical ones: pending, running, completed, failed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import httpx

Canonical = Literal["pending", "running", "completed", "failed", "unknown"]
TERMINAL: tuple[Canonical, ...] = ("completed", "failed")
FrameKind = Literal["record", "heartbeat", "error", "foreign"]


@dataclass
class Created:
    status_code: int
    body: Any
    task_id: str = ""
    retry_after_s: float | None = None  # set on 429
    headers: dict[str, str] = field(default_factory=dict)


class TaskDialect(ABC):
    name: ClassVar[str]

    @abstractmethod
    def create(self, http: httpx.Client, package_url: str) -> Created: ...

    @abstractmethod
    def status_path(self, task_id: str) -> str: ...

    def status(self, http: httpx.Client, task_id: str) -> httpx.Response:
        return http.get(self.status_path(task_id))

    @abstractmethod
    def download(self, http: httpx.Client, task_id: str) -> httpx.Response: ...

    @abstractmethod
    def health(self, http: httpx.Client, timeout_s: float) -> httpx.Response: ...

    @abstractmethod
    def ws_path(self, task_id: str) -> str: ...

    @abstractmethod
    def frame_kind(self, frame: Any, task_id: str) -> FrameKind: ...

    @abstractmethod
    def state(self, record: dict[str, Any]) -> Canonical: ...

    @abstractmethod
    def field(self, record: dict[str, Any], name: str) -> Any:
        """A record's value by role: status, progress, error, output, updated, created."""

    @property
    @abstractmethod
    def task_names(self) -> list[str]: ...

    @property
    @abstractmethod
    def queue(self) -> str: ...

    @property
    @abstractmethod
    def unrelated_paths(self) -> list[str]:
        """Routes that need no Redis (they must keep answering while Redis stalls)."""

    @property
    @abstractmethod
    def not_ready_statuses(self) -> list[int]:
        """What the download route answers before the task completed."""
