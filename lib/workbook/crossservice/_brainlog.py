"""The brain's own record of its tool calls (the sandbox brain's `{admin_url}/_sandbox/requests`):
evidence of the brain hop that the task service cannot fake.

The real platform carries no correlation id, so a task's brain calls are found by what the brain
itself noted: the tool, the project, the time, the ids it returned (`result_ids`) or its error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

REQUESTS_PATH = "/_sandbox/requests"
FIND_HOP = "find_similar_characters"
SLACK_S = 0.5  # clocks of one machine; covers the receiver's and the brain's stamping


@dataclass(frozen=True)
class BrainCall:
    hop: str
    project_id: str
    at: float
    duration_ms: float
    result_ids: tuple[str, ...]
    error: str

    @property
    def ok(self) -> bool:
        return not self.error


def read_calls(admin_url: str, *, timeout_s: float = 5.0) -> list[BrainCall]:
    """Every call the brain recorded (newest last); [] when it keeps no such record."""
    response = httpx.get(admin_url.rstrip("/") + REQUESTS_PATH, params={"limit": 20000}, timeout=timeout_s)
    if response.status_code == 404:
        return []
    response.raise_for_status()
    return [_call(entry) for entry in response.json().get("entries", []) if isinstance(entry, dict)]


def _call(entry: dict[str, Any]) -> BrainCall:
    ids = entry.get("result_ids") or ()
    return BrainCall(
        hop=str(entry.get("hop", "")),
        project_id=str(entry.get("project_id") or ""),
        at=float(entry.get("at", 0.0)),
        duration_ms=float(entry.get("duration_ms", 0.0)),
        result_ids=tuple(str(i) for i in ids) if isinstance(ids, list | tuple) else (),
        error=str(entry.get("error") or ""),
    )


def calls_between(calls: list[BrainCall], since: float, until: float) -> list[BrainCall]:
    return [call for call in calls if since - SLACK_S <= call.at <= until + SLACK_S]


def finds_for(calls: list[BrainCall], project_id: str) -> list[BrainCall]:
    return [call for call in calls if FIND_HOP in call.hop and call.project_id == project_id]
