"""Check `error_propagation`: with the brain down or refusing, a task must end `failed` (or say it
is degraded) within a bound, naming the brain; a task that completes without the brain's data is a
silent success.

Two outages, each undone afterwards: the task service's worker pointed at a closed port (the brain
down, as a network fault: the task service's sandbox option `brain_url`), and the brain answering
every tool call with an error (`brain_refusing_faults` on the brain's admin endpoint). A live run
skips whichever it has no admin URL for.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from ..checks import CheckContext
from ..sandbox import set_faults
from ._flow import FLOW_CAST
from ._run import CrossServiceRun
from ._taskrun import TaskOutcome, new_nonce, run_task

OPTIONS_PATH = "/_sandbox/options"
DEGRADED_WORDS = ("degraded", "partial")


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (bound, then closed: connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@contextmanager
def brain_unreachable(taskservice_admin_url: str) -> Iterator[None]:
    url = taskservice_admin_url.rstrip("/") + OPTIONS_PATH
    httpx.put(url, json={"brain_url": closed_port_url()}, timeout=5.0).raise_for_status()
    try:
        yield
    finally:
        httpx.put(url, json={"brain_url": None}, timeout=5.0).raise_for_status()


@contextmanager
def brain_refusing(brain_admin_url: str, switches: Mapping[str, Any]) -> Iterator[None]:
    set_faults(brain_admin_url, switches)
    try:
        yield
    finally:
        set_faults(brain_admin_url, dict.fromkeys(switches))


def outage_problems(run: CrossServiceRun, outcome: TaskOutcome, outage: str) -> list[str]:
    bound = run.settings.error_bound_s
    if not outcome.task_id:
        return [f"with {outage}, the submission was not accepted: {outcome.submitted.describe()}"]
    end = outcome.end
    if end is None:
        return [f"with {outage}, task {outcome.task_id} reported no outcome within {bound:g} s"]
    if end.status == "failed":
        return []
    claimed = run.tasks.brain_data(end.result)
    text = str(end.result or "").lower()
    if end.status == "completed" and any(word in text for word in DEGRADED_WORDS):
        return []  # it said so
    if end.status == "completed":
        return [
            f"silent success: with {outage}, task {outcome.task_id} completed in {outcome.seconds:.1f} s "
            f"with {'no' if not claimed else len(claimed)} brain result(s) and no word of the failure"
        ]
    return [f"with {outage}, task {outcome.task_id} ended {end.status!r}"]


def check_error_propagation(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    outages: list[tuple[str, Any]] = []
    if s.taskservice_admin_url:
        outages.append(("the brain unreachable", lambda: brain_unreachable(s.taskservice_admin_url)))
    if s.brain_admin_url and s.brain_refusing_faults:
        outages.append(
            (
                f"the brain refusing ({s.brain_refusing_faults})",
                lambda: brain_refusing(s.brain_admin_url, s.brain_refusing_faults),
            )
        )
    if not outages:
        c.skip("needs taskservice_admin_url or brain_admin_url to take the brain hop down")
    project = run.project("a")
    run.ensure_characters(project, FLOW_CAST)
    problems: list[str] = []
    seconds: dict[str, float] = {}
    evidence: dict[str, Any] = {}
    for outage, inject in outages:
        nonce = new_nonce("errors")
        with inject():
            outcome = run_task(
                run.tasks,
                run.receiver,
                project,
                f"{FLOW_CAST[1].query} [{nonce}]",
                nonce=nonce,
                timeout_s=s.error_bound_s,
                webhook_grace_s=min(s.webhook_grace_s, s.error_bound_s),
            )
        seconds[outage] = round(outcome.seconds, 3)
        end = outcome.end
        c.note(f"{outage}: task {'ended ' + repr(end.status) if end else 'reported no end'} in {outcome.seconds:.1f} s")
        evidence[outage] = {**outcome.evidence(), "error": outcome.end.error[:300] if outcome.end else ""}
        problems += outage_problems(run, outcome, outage)
    c.measure(seconds=seconds, evidence=evidence)
    c.expect_none(problems)
