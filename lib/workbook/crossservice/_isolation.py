"""Check `isolation`: projects A and B through both brain tools, the task service's project lists
and its workers, plus what one API key reaches.

* brain: a search in one project must return none of the other project's characters (their text
  as the query), and must find its own;
* task service: a task for B must return only B's characters (the worker asked the brain for B),
  and neither project's task list may show the other's task;
* the key: whether the one key reads both projects' tasks is measured; with a profile holding a
  key meant for B only (`project_b_service`), reading A through it is a leak.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..checks import CheckContext, CouldNotCheck
from ._flow import FLOW_CAST
from ._run import Character, CrossServiceRun, open_task_service
from ._taskrun import TaskOutcome, new_nonce, run_task
from ._taskservice import Reply

B_CAST = (
    Character(
        "Tansy Hollow",
        "A village hedge witch who brews potions and charms from herbs in her cottage.",
        "A small woman in a patched green shawl, herbs hanging from her belt.",
        "a country herbalist making remedies and spells at home",
    ),
    Character(
        "Jonah Blue",
        "A blues guitarist who plays smoky bars in the Mississippi Delta for tips.",
        "A lanky man in a battered hat holding a scratched acoustic guitar.",
        "a travelling musician singing the blues in southern juke joints",
    ),
)


def check_isolation(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    a, b = run.project("a"), run.project("b")
    casts = {a: FLOW_CAST, b: B_CAST}
    owned = {project: run.ensure_characters(project, cast) for project, cast in casts.items()}
    cells: list[dict[str, Any]] = []
    problems: list[str] = []

    def cell(context: str, owner: str, operation: str, leaked: list[str], found: bool, note: str = "") -> None:
        diagonal = context == owner
        ok = found if diagonal else not leaked
        cells.append(
            {"context": context, "owner": owner, "operation": operation, "ok": ok, "leaked": leaked, "note": note}
        )
        if not ok and diagonal:
            problems.append(f"{operation} in {context!r} does not find its own {note or 'resource'}")
        elif not ok:
            problems.append(f"{operation} in {context!r} leaks {leaked[:3]} of project {owner!r} {note}".rstrip())

    for context in (a, b):
        for owner in (a, b):
            theirs = set(owned[owner].values())
            for character in casts[owner][:2]:
                hits = [str(r.get("id")) for r in run.brain.find(context, character.personality)]
                cell(context, owner, "brain find_similar_characters", sorted(set(hits) & theirs),
                     owned[owner][character.name] in hits, character.name)  # fmt: skip
    # A task for B: its worker must ask the brain for B, and return only B's characters.
    nonce = new_nonce("isolation")
    outcome = run_task(
        run.tasks,
        run.receiver,
        b,
        f"{B_CAST[0].query} [{nonce}]",
        nonce=nonce,
        timeout_s=s.task_timeout_s,
        webhook_grace_s=s.webhook_grace_s,
    )
    end = outcome.end
    claimed = [str(i.get("id")) for i in (run.tasks.brain_data(end.result) or [])] if end else []
    if end is None or end.status != "completed":
        problems.append(f"the task for {b!r} did not complete: {outcome.evidence()}")
    else:
        cell(b, a, "task result (worker -> brain)", sorted(set(claimed) & set(owned[a].values())), False)
    # The project lists.
    flow_outcome: TaskOutcome | None = run.flow.get("outcome")
    a_task = flow_outcome.task_id if flow_outcome is not None else ""
    task_of = {a: a_task, b: outcome.task_id}
    listed = {p: {str(t.get("task_id")) for t in run.tasks.project_tasks(p)[1]} for p in (a, b)}
    for context in (a, b):
        for owner in (a, b):
            if not task_of[owner]:
                continue
            present = task_of[owner] in listed[context]
            cell(context, owner, "task list", [task_of[owner]] if present else [], present, "task")
    key_reach = _key_reach(run, a, task_of[a], problems)
    frame = pd.DataFrame(cells)
    frame.to_csv(run.evidence / "isolation_matrix.csv", index=False)
    run.flow["isolation"] = frame
    c.measure(cells=len(cells), failed_cells=int((~frame["ok"]).sum()), key_reach=key_reach)
    if key_reach.get("one_key_reads_every_project"):
        c.note("one API key reads every project's tasks and statuses: the task service's keys are service-wide")
    c.expect_none(problems)


def _key_reach(run: CrossServiceRun, a: str, a_task: str, problems: list[str]) -> dict[str, Any]:
    """What the profile's key reaches in A and B; with a key meant for B only, whether it reads A."""
    reach: dict[str, Any] = {}
    if a_task:
        reach["status_of_a_task"] = run.tasks.status(a_task).status
    b_lists = run.tasks.project_tasks(run.project("b"))[0].status
    a_lists = run.tasks.project_tasks(a)[0].status
    reach["one_key_reads_every_project"] = a_lists == 200 and b_lists == 200
    name = run.settings.project_b_service
    if name and a_task:
        other = open_task_service(run.settings, name)
        status: Reply | None = None
        try:
            listed = {str(t.get("task_id")) for t in other.project_tasks(a)[1]}
            status = other.status(a_task)
        except CouldNotCheck as refused:  # a 401/403 here is the isolation working
            listed = set()
            reach["b_key_refused"] = str(refused)[:200]
        finally:
            other.client.close()
        reach["b_key_reads_a_list"] = a_task in listed
        reach["b_key_reads_a_status"] = status.status if status is not None else None
        if a_task in listed or (status is not None and status.ok):
            problems.append(f"the key of profile {name!r}, meant for project B, reads project {a!r}'s task {a_task}")
    return reach
