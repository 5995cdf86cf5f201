"""The task service as notebook 60 sees it: one small client interface (submit, status, a project's
task list, cancel), each platform's wire dialect behind it in `_dialects/`, chosen by name.

A dialect turns the platform's answers into `Reply` (HTTP status, JSON body, elapsed time) and
reads the words it needs (task id, status word, result, error) out of them; the checks judge.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ConfigDict

from ..checks import CouldNotCheck, ErrorReason
from ..connect import ServiceProfile, check_access


@dataclass(frozen=True)
class Reply:
    method: str
    path: str
    status: int
    body: Any
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        text = self.body if isinstance(self.body, str) else json.dumps(self.body, default=str)
        return f"{self.method} {self.path} -> {self.status} {text[:300]}"


@dataclass(frozen=True)
class TaskView:
    """What one answer says about a task, in the checks' words."""

    task_id: str
    project_id: str
    status: str  # the platform's word
    terminal: bool
    result: dict[str, Any] | None
    error: str


class DialectOptions(BaseModel):
    """What varies inside a dialect (routes, field names, words); each dialect sets its defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskService(ABC):
    """A task service's operations, over an `httpx.Client` whose base URL and credentials come from
    the connection profile."""

    name: ClassVar[str]
    Options: ClassVar[type[DialectOptions]]

    def __init__(self, client: httpx.Client, options: DialectOptions, profile: ServiceProfile | None = None) -> None:
        self.client = client
        self.options = options
        self.profile = profile

    def call(self, method: str, path: str, *, route: str, allow: Iterable[int] = (), **kwargs: Any) -> Reply:
        """One request. 401/403 end the check `error/auth`, a missing route `error/dialect` (naming the
        option `route` that sets it); statuses in `allow` are answers the check judges."""
        started = time.perf_counter()
        response = self.client.request(method, path, **kwargs)
        elapsed = time.perf_counter() - started
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        reply = Reply(method, path, response.status_code, body, elapsed)
        allowed = tuple(status for status in allow if self.is_answer(reply, status))
        check_access(
            response, profile=self.profile, route_param=f"taskservice_options.{route}", dialect=self.name, allow=allowed
        )
        return reply

    def is_answer(self, reply: Reply, status: int) -> bool:
        """Whether a `status` reply is the platform answering (not, e.g., a framework's missing-route 404)."""
        return reply.status == status

    def not_understood(self, reply: Reply, what: str) -> CouldNotCheck:
        """The platform refused the request's shape (e.g. 422): our dialect does not match it."""
        return CouldNotCheck(
            ErrorReason.DIALECT,
            f"the task service did not accept the workbook's {what} (dialect {self.name!r}): {reply.describe()}",
            evidence={"reply": reply.describe()},
        )

    @abstractmethod
    def submit(self, project_id: str, prompt: str, callback_url: str) -> Reply:
        """Submit one task for `project_id` whose text is `prompt`, its end POSTed to `callback_url`."""

    @abstractmethod
    def submitted_id(self, reply: Reply) -> str:
        """The task id a successful submission answered ("" if none)."""

    @abstractmethod
    def status(self, task_id: str) -> Reply: ...

    @abstractmethod
    def status_view(self, reply: Reply) -> TaskView | None:
        """The task as the status route describes it (None: the answer names no task)."""

    @abstractmethod
    def project_tasks(self, project_id: str) -> tuple[Reply, list[dict[str, Any]]]:
        """Every task the project's list shows (all pages, bounded), with the first page's reply."""

    @abstractmethod
    def cancel(self, task_id: str) -> Reply: ...

    @abstractmethod
    def webhook_view(self, payload: dict[str, Any]) -> TaskView:
        """The task as a webhook body describes it."""

    @abstractmethod
    def brain_data(self, result: dict[str, Any] | None) -> list[dict[str, Any]] | None:
        """The brain's answer a task result carries (characters `{id, name, ...}`); None: no such field."""
