"""Fetching a job's input from the upstream API with the retry policy the checks verify.

5xx and timeouts are retried with exponential backoff; a 429 waits what its `Retry-After` says
(capped); other 4xx answers are permanent. Switches `no_retry_on_503` and `ignore_retry_after`
break the policy on purpose.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ._switches import FileSwitches

RETRYABLE = (500, 502, 503, 504)
MAX_ATTEMPTS = 4
BACKOFF_BASE_S = 0.25
BACKOFF_CAP_S = 4.0
RETRY_AFTER_CAP_S = 30.0
DEFECT_RETRY_S = 0.05


class PermanentFetchError(Exception):
    """The upstream answered something retrying cannot fix (or retries ran out)."""


@dataclass
class FetchReport:
    attempts: list[dict[str, object]] = field(default_factory=list)
    bytes: int = 0


def retry_after_s(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form), or None if absent or unparsable."""
    if value is None:
        return None
    try:
        return min(max(0.0, float(value.strip())), RETRY_AFTER_CAP_S)
    except ValueError:
        return None


def fetch_to_file(
    url: str,
    target: Path,
    *,
    headers: dict[str, str],
    timeout_s: float,
    switches: FileSwitches,
    on_retry: Callable[[str, float], None],
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    report = FetchReport()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        started = time.time()
        try:
            with httpx.stream("GET", url, headers=headers, timeout=timeout_s) as response:
                status = response.status_code
                if status == 200:
                    with target.open("wb") as out:
                        for chunk in response.iter_bytes():
                            out.write(chunk)
                            report.bytes += len(chunk)
                    report.attempts.append({"attempt": attempt, "status": 200, "started": started})
                    return report
                response.read()
                header = response.headers.get("retry-after")
        except httpx.TimeoutException:
            status, header = 0, None
        report.attempts.append({"attempt": attempt, "status": status, "started": started})
        what = f"upstream timed out after {timeout_s:g} s" if status == 0 else f"upstream answered {status}"
        if status not in (0, 429, *RETRYABLE) or (status == 503 and switches.on("no_retry_on_503")):
            raise PermanentFetchError(f"{what} for {url}")
        if attempt == MAX_ATTEMPTS:
            raise PermanentFetchError(f"{what} for {url}; gave up after {MAX_ATTEMPTS} attempts")
        delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
        if status == 429:
            honoured = retry_after_s(header)
            delay = (
                DEFECT_RETRY_S if switches.on("ignore_retry_after") else (honoured if honoured is not None else delay)
            )
        on_retry(what, delay)
        sleep(delay)
    raise AssertionError("unreachable")
