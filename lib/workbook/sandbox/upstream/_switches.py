"""The upstream's answer switches. Counting switches (`status_500`, `status_503`, `status_429`,
`timeout`) take N and affect the next N asset and package GETs (a package HEAD answers the same
without using one up); setting one again restarts its count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._faults import FaultSwitches

# name -> what it does (the value's meaning)
SWITCHES: dict[str, str] = {
    "status_500": "the next N asset requests answer 500",
    "status_503": "the next N asset requests answer 503",
    "status_429": "the next N asset requests answer 429 with Retry-After: retry_after_s",
    "timeout": "the next N asset requests hang hang_s seconds before answering",
    "slow_body": "every asset body is sent at N bytes per second",
    "retry_after_s": "the Retry-After seconds of status_429 (default 1)",
    "hang_s": "how long `timeout` hangs (default 5 s)",
}
COUNTING = ("status_500", "status_503", "status_429", "timeout")


class AnswerSwitches(FaultSwitches):
    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self.used: dict[str, int] = {}
        super().__init__(SWITCHES, initial)

    def update(self, changes: Mapping[str, Any]) -> None:
        for name, value in changes.items():
            if name in SWITCHES and value not in (None, False):
                _validate(name, value)
        super().update(changes)
        for name in changes:
            self.used.pop(name, None)

    def clear(self) -> None:
        super().clear()
        self.used.clear()

    def pending(self, name: str) -> bool:
        """True if switch `name` still has requests left to affect (nothing used up)."""
        if not self.on(name):
            return False
        limit = self.value(name)
        return self.used.get(name, 0) < (1 if limit is True else int(limit))

    def take(self, name: str) -> bool:
        """True (and counted) if switch `name` still has requests left to affect."""
        if not self.on(name):
            return False
        limit = self.value(name)
        limit = 1 if limit is True else int(limit)
        if self.used.get(name, 0) >= limit:
            return False
        self.used[name] = self.used.get(name, 0) + 1
        return True


def _validate(name: str, value: Any) -> None:
    if value is True and name in COUNTING:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"upstream switch {name}={value!r}: expected a positive number ({SWITCHES[name]})")
    if name in COUNTING and not float(value).is_integer():
        raise ValueError(f"upstream switch {name}={value!r}: expected a whole number of requests")


def faults(initial: Mapping[str, Any]) -> AnswerSwitches:
    return AnswerSwitches(initial)
