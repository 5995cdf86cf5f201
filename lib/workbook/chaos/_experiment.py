"""One chaos experiment as Chaos Toolkit shapes it: steady-state hypothesis -> method -> rollbacks.

Unlike Chaos Toolkit's default strategy, rollbacks here *always* run (after a pass, a deviation
or an exception, and on Ctrl-C), each recorded with its outcome, and the journal says whether
anything injected was left behind.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

Probe = Callable[[], list[str]]


@dataclass
class Journal:
    title: str
    hypothesis: str
    status: str = "running"  # completed | deviated | failed
    steady_state_before: list[str] = field(default_factory=list)
    steady_state_after: list[str] = field(default_factory=list)
    method: list[dict[str, Any]] = field(default_factory=list)
    observations: dict[str, Any] = field(default_factory=dict)
    deviations: list[str] = field(default_factory=list)
    rollbacks: list[dict[str, Any]] = field(default_factory=list)
    residue: list[str] = field(default_factory=list)
    error: str = ""
    started_at: float = field(default_factory=time.time)
    duration_s: float = 0.0

    def action(self, name: str, **details: Any) -> None:
        self.method.append({"action": name, "time": time.time(), **details})

    def problems(self) -> list[str]:
        """Everything that makes this experiment a failure, one line each."""
        out = [f"steady state before injection: {line}" for line in self.steady_state_before]
        out += self.deviations
        out += [f"steady state after rollback: {line}" for line in self.steady_state_after]
        out += [f"rollback {item['name']} failed: {item['error']}" for item in self.rollbacks if not item["ok"]]
        out += [f"left injected: {line}" for line in self.residue]
        if self.error:
            out.append(f"experiment raised {self.error}")
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Experiment:
    title: str
    hypothesis: str
    # Problems with the steady state (empty list: the hypothesis holds).
    steady_state: Probe
    # Injects the fault and observes; returns deviations from the hypothesis (problem lines).
    method: Callable[[Journal], list[str]]
    # (name, action) pairs run in order, always.
    rollbacks: tuple[tuple[str, Callable[[], object]], ...] = ()
    # What is still injected after the rollbacks (problem lines).
    residue: Probe | None = None


def run_experiment(experiment: Experiment) -> Journal:
    journal = Journal(experiment.title, experiment.hypothesis)
    started = time.monotonic()
    try:
        journal.steady_state_before = _probe(experiment.steady_state)
        if journal.steady_state_before:
            journal.status = "failed"  # not injected: the system was not steady to begin with
            return journal
        journal.deviations = list(experiment.method(journal))
    except Exception as error:
        journal.error = f"{type(error).__name__}: {error}"
        journal.observations["traceback"] = traceback.format_exc(limit=5)
    finally:
        for name, action in experiment.rollbacks:
            try:
                action()
                journal.rollbacks.append({"name": name, "ok": True, "error": ""})
            except Exception as error:
                journal.rollbacks.append({"name": name, "ok": False, "error": f"{type(error).__name__}: {error}"})
        if experiment.residue is not None:
            journal.residue = _probe(experiment.residue)
        if not journal.steady_state_before:
            journal.steady_state_after = _probe(experiment.steady_state)
        journal.duration_s = round(time.monotonic() - started, 3)
        if journal.status == "running":
            journal.status = "completed" if not journal.problems() else ("failed" if journal.error else "deviated")
    return journal


def _probe(probe: Probe) -> list[str]:
    try:
        return list(probe())
    except Exception as error:
        return [f"probe raised {type(error).__name__}: {error}"]
