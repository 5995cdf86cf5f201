"""Check `flow`: a task for project A goes through the task service, its worker, the brain and back
as a webhook; the brain hop is proven by evidence the brain produced.

* Sandbox (brain admin URL given): the brain's own record must show a successful
  `find_similar_characters` for project A while the task ran, returning exactly the characters the
  task's result names.
* Always: the result must carry the brain's answer, naming only characters the brain made for
  project A in this run (their ids are the brain's uuids: nobody else can know them), with the one
  the prompt paraphrases among them.

A task that completes while its brain calls failed, or without any brain data, is a silent
success: the task service's worst defect, because nothing downstream can see it.
"""

from __future__ import annotations

from typing import Any

from ..checks import CheckContext
from ..notebook import keep_figure
from ._brainlog import BrainCall, finds_for
from ._hops import hop_table, waterfall
from ._run import Character, CrossServiceRun
from ._taskrun import TaskOutcome, new_nonce, run_task

FLOW_CAST = (
    Character(
        "Sir Aldric",
        "A noble knight who swore an oath to protect the king and his realm.",
        "Tall, in shining plate armour with a blue cloak and a long sword.",
        "an honourable armoured warrior sworn to defend the monarch",
    ),
    Character(
        "Captain Redbeard",
        "A fearsome buccaneer who commands a black-sailed galleon and buries stolen gold.",
        "A red-bearded man with an eyepatch, a tricorn hat and a cutlass.",
        "a dreaded sea raider hiding plundered treasure",
    ),
    Character(
        "Unit K-7",
        "A humanoid android built for factory work who slowly begins to feel emotions.",
        "A chrome robot with glowing blue eyes and scuffed steel hands.",
        "a factory machine person discovering feelings",
    ),
)


def task_problems(outcome: TaskOutcome, what: str) -> list[str]:
    """The end of a task that should have completed: submitted, ended in time, completed, webhook sent."""
    if not outcome.task_id:
        return [f"{what}: the submission was not accepted: {outcome.submitted.describe()}"]
    end = outcome.end
    if end is None:
        seen = outcome.statuses[-1] if outcome.statuses else None
        return [f"{what}: task {outcome.task_id} reached no end within the bound (no webhook; last status {seen})"]
    problems = []
    if outcome.webhook is None:
        problems.append(
            f"{what}: no webhook reached callback_url for task {outcome.task_id}, although the status route "
            f"says {end.status!r}"
        )
    if end.status != "completed":
        problems.append(f"{what}: task {outcome.task_id} ended {end.status!r}: {end.error[:300]}")
    return problems


def brain_hop_problems(
    run: CrossServiceRun, outcome: TaskOutcome, owned: dict[str, str], expected: str
) -> tuple[list[str], dict[str, Any]]:
    """Did the brain answer this task, for its project, with what the result claims?"""
    end = outcome.end
    problems: list[str] = []
    if end is None or end.status != "completed":
        return problems, {}
    claimed = run.tasks.brain_data(end.result)
    claimed_ids = [str(item.get("id")) for item in claimed or []]
    evidence: dict[str, Any] = {"result_characters": claimed_ids}
    calls = run.brain_calls(outcome.started_at, outcome.ended_at or outcome.started_at)
    if calls is not None:
        finds = finds_for(calls, outcome.project_id)
        evidence["brain_record"] = [_call(c) for c in calls][-10:]
        answered = [c for c in finds if c.ok]
        if not finds:
            problems.append(
                f"silent success: task {outcome.task_id} completed but the brain recorded no "
                f"find_similar_characters for project {outcome.project_id!r} while it ran "
                f"(it recorded {len(calls)} other call(s): {[c.hop for c in calls][:5]})"
            )
        elif not answered:
            problems.append(
                f"silent success: task {outcome.task_id} completed while its brain calls failed: "
                f"{[c.error[:120] for c in finds][:3]}"
            )
        elif claimed is not None and not any(list(c.result_ids) == claimed_ids for c in answered):
            problems.append(
                f"task {outcome.task_id}'s result names characters {claimed_ids} that the brain did not return "
                f"for project {outcome.project_id!r} (it returned {[list(c.result_ids) for c in answered]})"
            )
    if claimed is None:
        problems.append(
            f"task {outcome.task_id} completed with no brain data in its result (no "
            f"`{getattr(run.tasks.options, 'brain_data_field', 'characters')}` field): nothing shows the "
            "brain was consulted"
        )
        return problems, evidence
    foreign = [i for i in claimed_ids if i not in owned.values()]
    if foreign:
        problems.append(
            f"task {outcome.task_id}'s result names {foreign}, which the brain never made for project "
            f"{outcome.project_id!r} in this run"
        )
    if owned.get(expected) not in claimed_ids:
        problems.append(
            f"task {outcome.task_id}'s result lacks {expected} ({owned.get(expected)}), the character its prompt "
            f"paraphrases: the brain's answer for project {outcome.project_id!r} was not used"
        )
    return problems, evidence


def _call(call: BrainCall) -> dict[str, Any]:
    return {"hop": call.hop, "project_id": call.project_id, "ids": list(call.result_ids), "error": call.error[:200]}


def check_flow(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    project = run.project("a")
    owned = run.ensure_characters(project, FLOW_CAST)
    target = FLOW_CAST[0]
    nonce = new_nonce("flow")
    outcome = run_task(
        run.tasks,
        run.receiver,
        project,
        f"{target.query} [{nonce}]",
        nonce=nonce,
        timeout_s=s.task_timeout_s,
        webhook_grace_s=s.webhook_grace_s,
    )
    run.flow.update(outcome=outcome, project=project, owned=owned)
    problems = task_problems(outcome, "flow")
    hop_problems, brain_evidence = brain_hop_problems(run, outcome, owned, target.name)
    problems += hop_problems
    if outcome.webhook_view is not None:
        view = outcome.webhook_view
        if view.task_id != outcome.task_id or view.project_id != project:
            problems.append(
                f"the webhook names task {view.task_id!r} / project {view.project_id!r}, "
                f"sent {outcome.task_id!r} / {project!r}"
            )
    entries = flow_entries(outcome, brain_evidence, run)
    run.flow["entries"] = entries
    if entries:
        table = hop_table(entries)
        run.flow["hops"] = table
        table.to_csv(run.evidence / "flow_hops.csv", index=False)
        keep_figure(waterfall(entries, outcome.task_id), run.evidence / "flow_waterfall.png")
    c.measure(
        task_id=outcome.task_id,
        flow_total_s=round(outcome.seconds, 3),
        submit_ms=round(outcome.submitted.elapsed_s * 1000, 2),
        webhook_after_s=round(outcome.webhook.at - outcome.started_at, 3) if outcome.webhook else None,
        evidence={**outcome.evidence(), **brain_evidence},
    )
    c.expect(
        outcome.seconds <= s.flow_total_s_max, f"the flow took {outcome.seconds:.1f} s, budget {s.flow_total_s_max:g} s"
    )
    c.expect_none(problems)


def flow_entries(outcome: TaskOutcome, brain: dict[str, Any], run: CrossServiceRun) -> list[dict[str, Any]]:
    """Hops keyed by the task id: the submission, the brain's own record, the webhook's arrival."""
    if not outcome.task_id:
        return []
    key = outcome.task_id
    entries = [
        {
            "service": "taskservice",
            "hop": "POST submit",
            "request_id": key,
            "at": outcome.started_at,
            "duration_ms": outcome.submitted.elapsed_s * 1000,
        }
    ]
    calls = run.brain_calls(outcome.started_at, outcome.ended_at or outcome.started_at) or []
    for call in finds_for(calls, outcome.project_id):
        entries.append(
            {
                "service": "brain",
                "hop": call.hop,
                "request_id": key,
                "at": call.at,
                "duration_ms": call.duration_ms,
                "error": call.error,
            }
        )
    if outcome.webhook is not None:
        entries.append(
            {
                "service": "workbook",
                "hop": "webhook received",
                "request_id": key,
                "at": outcome.webhook.at,
                "duration_ms": 0.5,
            }
        )
    return entries
