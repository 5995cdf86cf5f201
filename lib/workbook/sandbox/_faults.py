"""Fault switches: the one HTTP contract every stand-in's admin endpoint follows.

    GET    {admin}/_sandbox/faults          -> {"faults": {"name": value, ...}, "known": [...]}
    PUT    {admin}/_sandbox/faults  {"name": value|null, ...}   merge (null turns a switch off)
    DELETE {admin}/_sandbox/faults          -> all off

Values are `true` or a number/string parameter (e.g. added latency in ms). Switches can also be
set at startup with the environment variable WORKBOOK_FAULTS holding a JSON object.
Unknown names are rejected with 400 so a typo in a test cannot silently test nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

FAULTS_ENV = "WORKBOOK_FAULTS"
TIME_SCALE_ENV = "WORKBOOK_TIME_SCALE"
FAULTS_PATH = "/_sandbox/faults"


class FaultSwitches:
    """Server side: the current switches of one stand-in, restricted to the names it knows."""

    def __init__(self, known: Iterable[str], initial: Mapping[str, Any] | None = None) -> None:
        self.known = frozenset(known)
        self._active: dict[str, Any] = {}
        self.update(initial if initial is not None else self.from_env())

    @staticmethod
    def from_env() -> dict[str, Any]:
        raw = os.environ.get(FAULTS_ENV, "")
        return dict(json.loads(raw)) if raw else {}

    def update(self, changes: Mapping[str, Any]) -> None:
        unknown = sorted(set(changes) - self.known)
        if unknown:
            raise ValueError(f"unknown fault switch(es) {unknown}; known: {sorted(self.known)}")
        for name, value in changes.items():
            if value is None or value is False:
                self._active.pop(name, None)
            else:
                self._active[name] = value

    def clear(self) -> None:
        self._active.clear()

    def on(self, name: str) -> bool:
        return name in self._active

    def value(self, name: str, default: Any = None) -> Any:
        return self._active.get(name, default)

    def count_down(self, name: str) -> None:
        """Use up one occurrence of a count-valued switch: `true` means once, N means N times,
        `{"count": N, ...options}` means N times with options. At zero the switch turns itself off."""
        value = self._active.get(name)
        if isinstance(value, dict):
            count = int(value.get("count", 1)) - 1
            self.update({name: {**value, "count": count} if count > 0 else None})
            return
        remaining = value - 1 if isinstance(value, int) and not isinstance(value, bool) else 0
        self.update({name: remaining if remaining > 0 else None})

    def snapshot(self) -> dict[str, Any]:
        return {"faults": dict(self._active), "known": sorted(self.known)}


def no_faults(initial: Mapping[str, Any]) -> FaultSwitches:
    """For a stand-in without switches (e.g. SeaweedFS): every name is unknown."""
    return FaultSwitches((), initial)


def time_scale_from_env() -> float:
    """Sandbox clocks run this many times faster than wall time."""
    return float(os.environ.get(TIME_SCALE_ENV, "1") or 1)


def set_faults(admin_url: str, changes: Mapping[str, Any], *, timeout_s: float = 5.0) -> dict[str, Any]:
    """Client side: merge `changes` into a stand-in's switches; returns the switches now active."""
    response = httpx.put(admin_url.rstrip("/") + FAULTS_PATH, json=dict(changes), timeout=timeout_s)
    response.raise_for_status()
    return dict(response.json()["faults"])


def clear_faults(admin_url: str, *, timeout_s: float = 5.0) -> None:
    httpx.delete(admin_url.rstrip("/") + FAULTS_PATH, timeout=timeout_s).raise_for_status()
