"""REST calls to the character, story and task services, each with an `X-Request-ID`, timed; and
the services' own request logs (`{admin_url}/_sandbox/requests`), the evidence of what they saw."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

REQUEST_ID_HEADER = "X-Request-ID"
REQUESTS_PATH = "/_sandbox/requests"


def new_request_id(label: str) -> str:
    return f"wb-{label}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    elapsed_s: float
    request_id: str
    echoed_request_id: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        text = json.dumps(self.body)[:300] if not isinstance(self.body, str) else self.body[:300]
        return f"{self.status} {text}"


class Rest:
    def __init__(self, *, timeout_s: float) -> None:
        self.client = httpx.Client(timeout=timeout_s, trust_env=False)

    def call(self, method: str, url: str, *, rid: str, json_body: Any = None, params: Any = None) -> Reply:
        started = time.perf_counter()
        response = self.client.request(
            method, url, json=json_body, params=params, headers={REQUEST_ID_HEADER: rid, "X-Caller": "workbook"}
        )
        elapsed = time.perf_counter() - started
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        return Reply(response.status_code, body, elapsed, rid, response.headers.get(REQUEST_ID_HEADER, ""))

    def raw(self, url: str) -> bytes:
        response = self.client.get(url)
        response.raise_for_status()
        return response.content

    def service_log(self, admin_url: str, rid: str) -> list[dict[str, Any]]:
        """What a service recorded for `rid`; [] when it has no such endpoint (live services)."""
        if not admin_url:
            return []
        response = self.client.get(admin_url + REQUESTS_PATH, params={"request_id": rid, "limit": 1000})
        if response.status_code == 404:
            return []
        response.raise_for_status()
        return list(response.json().get("entries", []))

    def close(self) -> None:
        self.client.close()
