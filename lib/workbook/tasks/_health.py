"""Reading a health answer by its body: the platform answers 200 for "unhealthy" too, so the
status code says nothing. Words map to pass / warn / fail; anything else is unknown."""

from __future__ import annotations

from typing import Any

PASS = {"healthy", "ok", "pass", "up", "ready"}
WARN = {"degraded", "warn"}
FAIL = {"unhealthy", "fail", "down", "error", "not_ready"}


def health_verdict(body: Any) -> str:
    word = str(body.get("status", "")).lower() if isinstance(body, dict) else ""
    if word in PASS:
        return "pass"
    if word in WARN:
        return "warn"
    if word in FAIL:
        return "fail"
    return "unknown"
