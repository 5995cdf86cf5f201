"""Check `consistency`: every view of one task agrees, and cancelling says what happened.

The flow's completed task is read back through the status route and the project's task list; both
must know it, with its project, its end and (status route) the result the webhook carried. Then the
cancel route: a completed task cannot be cancelled (400 naming why), an id the service never issued
is not found (404), rather than "cancelled" or a reasonless 500.
"""

from __future__ import annotations

import uuid

from ..checks import CheckContext
from ._run import CrossServiceRun
from ._taskrun import TaskOutcome


def check_consistency(c: CheckContext, run: CrossServiceRun) -> None:
    outcome: TaskOutcome | None = run.flow.get("outcome")
    end = outcome.end if outcome is not None else None
    if outcome is None or end is None or end.status != "completed":
        c.skip("the flow check has no completed task to read back")
        return
    task_id, project = outcome.task_id, outcome.project_id
    problems: list[str] = []
    status = run.tasks.status(task_id)
    view = run.tasks.status_view(status)
    if view is None:
        problems.append(
            f"the status route does not know task {task_id}, which the service accepted: {status.describe()}"
        )
    else:
        if view.project_id != project or view.status != "completed":
            problems.append(f"the status route says task {task_id} is {view.status!r} in {view.project_id!r}")
        webhook_result = outcome.webhook_view.result if outcome.webhook_view else None
        if webhook_result is not None and view.result != webhook_result:
            problems.append(f"the status route's result for {task_id} differs from the webhook's")
    listed_reply, listed = run.tasks.project_tasks(project)
    mine = [t for t in listed if str(t.get("task_id")) == task_id]
    if not mine:
        problems.append(f"project {project!r}'s task list does not show task {task_id}: {listed_reply.describe()}")
    elif mine[0].get("status") != "completed":
        problems.append(f"project {project!r}'s task list says task {task_id} is {mine[0].get('status')!r}")
    done = run.tasks.cancel(task_id)
    if done.status != 400:
        problems.append(
            f"cancelling completed task {task_id} answered {done.describe()} (expected 400: cannot be cancelled)"
        )
    unknown_id = str(uuid.uuid4())
    unknown = run.tasks.cancel(unknown_id)
    if unknown.status != 404:
        problems.append(f"cancelling {unknown_id}, an id the service never issued, answered {unknown.describe()}")
    c.measure(
        task_id=task_id,
        status_route=status.status,
        listed=len(listed),
        cancel_completed=done.status,
        cancel_unknown=unknown.status,
        evidence={
            "status": status.describe(),
            "cancel_completed": done.describe(),
            "cancel_unknown": unknown.describe(),
        },
    )
    c.expect_none(problems)
