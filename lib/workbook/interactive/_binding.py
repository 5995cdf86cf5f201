"""One lab kernel's binding to a profile: values written into the notebook, credentials exported.

A kernel has at most one active binding. Binding (again, or to another profile) first puts the
environment back as it was, then writes the new profile's values into the namespace and exports
its credentials through `workbook.runtime._env.env_overlay`, held open until the next binding.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..runtime import env_overlay
from ._resolve import Resolution, SandboxRef

Resolver = Callable[[str], Resolution]
Listener = Callable[[Mapping[str, Any]], None]

_exported = contextlib.ExitStack()
_active: dict[str, LabBinding | None] = {"binding": None}


@dataclass(frozen=True)
class Condition:
    """How the sandbox a binding came from is doing now: `up`, `gone`, `replaced`, `none` or `live`."""

    state: str
    text: str


def sandbox_condition(
    resolution: Resolution, current: SandboxRef | None, root: Path, alive: Callable[[int], bool]
) -> Condition:
    """Compare the sandbox the values came from with the one the state file describes now."""
    if not resolution.needs_sandbox:
        return Condition("live", f"profile {resolution.profile!r} uses no sandbox")
    bound = resolution.sandbox
    hint = "start one (`make lab` or `make sandbox-up`) and re-run this cell"
    if bound is None:
        if current is None:
            return Condition("none", f"no sandbox is running (no {root / 'state.json'}): {hint}")
        return Condition(
            "replaced", f"a sandbox started at {current.started_at} is up now: re-run this cell to bind to it"
        )
    if not bound.same_sandbox(current):
        gone = f"the sandbox this notebook is bound to ({bound.state_file}, started {bound.started_at}) is gone"
        if current is None:
            return Condition("gone", f"{gone}: {hint}")
        return Condition("replaced", f"{gone}; another one started at {current.started_at}: re-run this cell")
    stopped = sorted(name for name, pid in bound.pids.items() if not alive(pid))
    services = ", ".join(f"{name} (pid {pid})" for name, pid in bound.pids.items())
    if stopped:
        logs = "; ".join(f"{name}: {bound.logs[name]}" for name in stopped if name in bound.logs)
        return Condition(
            "gone",
            f"the sandbox this notebook is bound to ({bound.state_file}, started {bound.started_at}) "
            f"has lost {', '.join(stopped)}: {hint}" + (f" (why it stopped is in its log: {logs})" if logs else ""),
        )
    return Condition("up", f"bound to sandbox {bound.state_file}, started {bound.started_at}: {services}")


class LabBinding:
    """The values and credentials a profile gave this notebook; `rebind(profile)` switches profile."""

    def __init__(
        self,
        namespace: MutableMapping[str, Any],
        notebook: str,
        profiles: Sequence[str],
        resolver: Resolver,
        *,
        sandbox_root: Path,
        alive: Callable[[int], bool],
    ) -> None:
        self.notebook = notebook
        self.profiles = list(profiles)
        self.sandbox_root = sandbox_root
        self._namespace = namespace
        self._resolver = resolver
        self._alive = alive
        self._listeners: list[Listener] = []
        self._closed = threading.Event()
        self.resolution: Resolution | None = None

    @property
    def closed(self) -> bool:
        """True once a newer binding (the cell run again) replaced this one."""
        return self._closed.is_set()

    @property
    def profile(self) -> str:
        return self.resolution.profile if self.resolution else ""

    def activate(self, profile: str) -> Resolution:
        """Make this the kernel's binding (closing the previous one) and bind it to `profile`."""
        previous = _active["binding"]
        if previous is not None and previous is not self:
            previous.close()
        _active["binding"] = self
        return self.rebind(profile)

    def rebind(self, profile: str) -> Resolution:
        _exported.close()  # restore the environment the previous profile changed, before reading it again
        resolution = self._resolver(profile)
        for name, value in resolution.values.items():
            self._namespace[name] = value
        _exported.enter_context(env_overlay(dict(resolution.env)))
        self.resolution = resolution
        for listener in list(self._listeners):
            listener(resolution.values)
        return resolution

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def condition(self) -> Condition:
        assert self.resolution is not None, "bind a profile first"
        return sandbox_condition(self.resolution, SandboxRef.read(self.sandbox_root), self.sandbox_root, self._alive)

    def watch(
        self, on_change: Callable[[Condition], None], *, interval_s: float = 2.0, lifetime_s: float = 86_400
    ) -> None:
        """Call `on_change` from a daemon thread whenever the condition changes, until closed (bounded in time)."""

        def loop() -> None:
            last: Condition | None = None
            deadline = time.monotonic() + lifetime_s
            while not self._closed.wait(interval_s) and time.monotonic() < deadline:
                try:
                    now = self.condition()
                except ValueError:
                    continue  # a state file caught half-written by `sandbox up`: look again next time
                if now != last:
                    last = now
                    on_change(now)

        threading.Thread(target=loop, name=f"workbook-binding-{self.notebook}", daemon=True).start()

    def close(self) -> None:
        """Stop watching; the environment stays until the next binding replaces it."""
        self._closed.set()
        self._listeners.clear()

    def __repr__(self) -> str:
        applied = len(self.resolution.values) if self.resolution else 0
        return f"LabBinding(notebook={self.notebook!r}, profile={self.profile!r}, values={applied})"
