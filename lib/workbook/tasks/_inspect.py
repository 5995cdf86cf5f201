"""Pure inspectors: an event sequence, a health+json answer. Each returns problem lines."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

TERMINAL = ("SUCCESS", "FAILURE")
HEALTH_MEDIA_TYPE = "application/health+json"
PASS_ALIASES = {"pass", "ok", "up"}
WARN_ALIASES = {"warn"}
FAIL_ALIASES = {"fail", "error", "down"}


def sequence_problems(events: Sequence[Mapping[str, Any]], *, after: int = 0) -> list[str]:
    """Events as received: sequence numbers strictly increasing without gaps from after+1, one
    terminal event last, progress never going back within an attempt."""
    problems: list[str] = []
    seqs = [int(event.get("seq", -1)) for event in events]
    if not events:
        return ["no events received"]
    for previous, current in itertools.pairwise(seqs):
        if current <= previous:
            problems.append(f"events out of order: seq {current} arrived after seq {previous}")
    expected = set(range(after + 1, max(seqs) + 1))
    missing = sorted(expected - set(seqs))
    if missing:
        problems.append(f"sequence gap: seq {_ranges(missing)} never arrived (of {after + 1}..{max(seqs)})")
    if len(set(seqs)) != len(seqs):
        problems.append("duplicate sequence numbers were delivered")
    terminal = [index for index, event in enumerate(events) if event.get("state") in TERMINAL]
    if not terminal:
        problems.append(f"no terminal event (SUCCESS/FAILURE); last state {events[-1].get('state')!r}")
    elif terminal[-1] != len(events) - 1 or len(terminal) > 1:
        problems.append("the terminal event is not the last, single event")
    by_attempt: dict[int, float] = {}
    for event in sorted(events, key=lambda item: int(item.get("seq", 0))):
        attempt, progress = int(event.get("attempt", 1)), float(event.get("progress", 0))
        if progress < by_attempt.get(attempt, 0.0):
            problems.append(f"progress went back from {by_attempt[attempt]} to {progress} in attempt {attempt}")
            break
        by_attempt[attempt] = progress
    return problems


def _ranges(numbers: list[int]) -> str:
    shown = ", ".join(str(number) for number in numbers[:8])
    return shown + (f" (+{len(numbers) - 8} more)" if len(numbers) > 8 else "")


def health_status(body: Mapping[str, Any]) -> str:
    """`pass`, `warn` or `fail` for a status value, tolerating the draft's aliases; '' if unknown."""
    value = str(body.get("status", "")).lower()
    if value in PASS_ALIASES:
        return "pass"
    if value in WARN_ALIASES:
        return "warn"
    if value in FAIL_ALIASES:
        return "fail"
    return ""


def health_problems(status_code: int, content_type: str, body: Any) -> list[str]:
    """An answer against draft-inadarei-api-health-check-06: media type, status, HTTP code, checks."""
    problems = []
    if not content_type.startswith(HEALTH_MEDIA_TYPE):
        problems.append(f"content type {content_type!r}, expected {HEALTH_MEDIA_TYPE}")
    if not isinstance(body, Mapping):
        return [*problems, "body is not a JSON object"]
    status = health_status(body)
    if not status:
        problems.append(f"status {body.get('status')!r} is not pass/warn/fail (or an alias)")
    elif status in ("pass", "warn") and not 200 <= status_code < 400:
        problems.append(f"status {status} with HTTP {status_code}; the format requires 2xx-3xx")
    elif status == "fail" and not 400 <= status_code < 600:
        problems.append(f"status fail with HTTP {status_code}; the format requires 4xx-5xx")
    checks = body.get("checks", {})
    if not isinstance(checks, Mapping):
        return [*problems, "checks is not an object"]
    for key, entries in checks.items():
        if not isinstance(entries, list) or not all(isinstance(entry, Mapping) for entry in entries):
            problems.append(f"check {key!r} is not an array of objects")
            continue
        for entry in entries:
            if entry.get("status") is not None and not health_status(entry):
                problems.append(f"check {key!r} has status {entry.get('status')!r}")
    return problems


def component_status(body: Mapping[str, Any], key: str) -> str:
    entries = (body.get("checks") or {}).get(key) or []
    return health_status(entries[0]) if entries and isinstance(entries[0], Mapping) else ""


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return float(ordered[index])
