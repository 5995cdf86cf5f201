"""Check `flow`: one correlation id through character service -> brain -> story -> orchestrator.

Evidence, each independent of the service that made the decision: the sha256 of the descriptions
we sent (computed here), the brain's own store (read over MCP), each service's own request log
(`/_sandbox/requests`, what it saw and when), the task API's record of the job, and the bytes of
the scene the job wrote.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .._figures import keep_figure
from ..checks import CheckContext
from ._hops import hop_table, waterfall
from ._http import new_request_id
from ._orchestrator import run_scene_job
from ._run import CrossServiceRun

# Three characters of project A and the roles a story casts them in (paraphrases, few shared words).
FLOW_CAST = (
    (
        "Sir Aldric",
        "A noble knight in shining armor who swore an oath to protect the king and his realm.",
        "hero",
        "an honourable armoured warrior sworn to defend the monarch",
    ),
    (
        "Captain Redbeard",
        "A fearsome buccaneer who commands a black-sailed galleon and buries stolen gold.",
        "villain",
        "a dreaded sea raider hiding plundered treasure",
    ),
    (
        "Unit K-7",
        "A humanoid android built for factory work who slowly begins to feel human emotions.",
        "sidekick",
        "a factory machine person discovering feelings",
    ),
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _services(run: CrossServiceRun) -> dict[str, str]:
    s = run.settings
    return {"characters": s.characters_admin_url, "story": s.story_admin_url, "brain": s.brain_admin_url}


def service_logs(run: CrossServiceRun, rid: str) -> dict[str, list[dict[str, Any]]]:
    return {name: run.rest.service_log(url, rid) for name, url in _services(run).items() if url}


def correlation_problems(logs: dict[str, list[dict[str, Any]]], expected: dict[str, list[str]], rid: str) -> list[str]:
    """Each service must have recorded each expected hop (a prefix of its `hop`) under `rid`."""
    problems = []
    for service, hops in expected.items():
        if service not in logs:
            continue
        seen = [str(e.get("hop", "")) for e in logs[service]]
        for hop in hops:
            if not any(s.startswith(hop) for s in seen):
                problems.append(f"{service} recorded no '{hop}' with X-Request-ID {rid} (correlation id dropped)")
    return problems


def check_flow(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    project = s.project("a")
    rid = new_request_id("flow")
    problems: list[str] = []
    steps: dict[str, float] = {}
    created: list[dict[str, Any]] = []
    for name, description, _, _ in FLOW_CAST:
        reply = run.create_character(project, name, description, rid)
        steps[f"create {name}"] = reply.elapsed_s
        if reply.status != 201:
            c.fail(f"POST characters for {name!r} answered {reply.describe()}")
            return
        created.append({"id": reply.body["id"], "name": name, "sha256": sha256(description)})
        if reply.body.get("description_sha256") not in (None, sha256(description)):
            problems.append(f"character service stored a different description for {name!r}")
        if reply.echoed_request_id != rid:
            problems.append(f"character service answered X-Request-ID {reply.echoed_request_id!r}, sent {rid!r}")
    # The brain's own store: the same ids, in the same project, with the same description bytes.
    in_brain = run.brain_ids(project)
    for character in created:
        held = in_brain.get(character["id"])
        if held is None:
            problems.append(
                f"{character['name']} ({character['id']}) was created but is not in the brain's project "
                f"{project!r}: brain registration lost"
            )
        elif held.get("project_id") != project or sha256(str(held.get("description", ""))) != character["sha256"]:
            problems.append(f"the brain holds {character['id']} with another project or description")
    # The story casts by similarity; each role must get the character it paraphrases.
    roles = [{"role": role, "description": text} for _, _, role, text in FLOW_CAST]
    story = run.rest.call("POST", run.stories(project), rid=rid, json_body={"title": "Flow scene", "roles": roles})
    if story.status != 201:
        c.fail(f"POST stories answered {story.describe()}")
        return
    story_id = story.body["id"]
    cast = run.rest.call("POST", f"{run.stories(project)}/{story_id}/cast", rid=rid)
    steps["create story"], steps["cast story"] = story.elapsed_s, cast.elapsed_s
    cast_by_role = {m["role"]: m for m in (cast.body.get("cast", []) if cast.ok else [])}
    for character, (_, _, role, _) in zip(created, FLOW_CAST, strict=True):
        member = cast_by_role.get(role)
        if member is None:
            problems.append(f"role {role!r} was not cast ({cast.describe()})")
        elif member["character_id"] != character["id"]:
            problems.append(
                f"role {role!r} went to {member['character_id']}, expected {character['name']} ({character['id']})"
            )
        elif member["character"].get("description_sha256") != character["sha256"]:
            problems.append(f"the story holds another description hash for {character['id']}")
    scene_ids: list[str] = []
    job_entry: dict[str, Any] = {}
    if s.tasks_url:
        job = run_scene_job(
            run.rest,
            s.tasks_url,
            project_id=project,
            story_id=story_id,
            story_url=s.story_url,
            characters_url=s.characters_url,
            rid=rid,
            timeout_s=s.job_timeout_s,
        )
        steps["produce scene job"] = job.elapsed_s
        # Seen from here (submit to result): the task API keeps no per-request log of its own.
        job_entry = {
            "service": "orchestrator",
            "hop": f"produce_scene job ({job.state})",
            "request_id": rid,
            "at": job.started_at,
            "duration_ms": round(job.elapsed_s * 1000, 3),
        }
        if job.scene is None:
            problems.append(f"produce_scene job {job.task_id or '(not submitted)'} ended {job.state}: {job.error}")
        else:
            scene = job.scene
            scene_ids = [m["character_id"] for m in scene.get("cast", [])]
            if scene.get("project_id") != project or scene.get("story_id") != story_id:
                problems.append(f"scene names project {scene.get('project_id')!r} / story {scene.get('story_id')!r}")
            hashes = {m["character_id"]: m.get("description_sha256") for m in scene.get("cast", [])}
            for character in created:
                if hashes.get(character["id"]) != character["sha256"]:
                    problems.append(f"scene lacks {character['id']} with its description hash")
            if scene.get("correlation_id") != rid or job.body.get("correlation_id") != rid:
                problems.append(f"the job ran under correlation id {scene.get('correlation_id')!r}, not {rid!r}")
    else:
        c.note("no tasks_url: the orchestrator hop was not exercised")
    logs = service_logs(run, rid)
    expected = {
        "characters": ["POST /projects/", "mcp create_character", "GET /projects/"],
        "brain": ["tools/call create_character", "tools/call find_similar_characters"],
        "story": ["POST /projects/", "mcp find_similar_characters", "GET characters"],
    }
    problems += correlation_problems(logs, expected, rid)
    brain_creates = [e for e in logs.get("brain", []) if e.get("hop") == "tools/call create_character"]
    recorded = sorted({str(e.get("character_id")) for e in brain_creates})
    if "brain" in logs and set(recorded) != {ch["id"] for ch in created}:
        problems.append(
            f"the brain recorded create_character under {rid} for {recorded}, "
            f"expected {sorted(ch['id'] for ch in created)} (correlation id dropped on the way to the brain)"
        )
    if s.tasks_url and logs:
        from_job = [
            e for service in ("story", "characters") for e in logs.get(service, []) if e.get("caller") == "orchestrator"
        ]
        if not from_job:
            problems.append(
                f"no service recorded a call from the orchestrator under {rid} (lost in the Celery headers)"
            )
    entries = [e for service_entries in logs.values() for e in service_entries]
    if job_entry:
        entries.append(job_entry)
    table = hop_table(entries)
    total = sum(steps.values())
    run.flow.update(
        rid=rid,
        project=project,
        created=created,
        story_id=story_id,
        scene_ids=scene_ids,
        hops=table,
        steps=steps,
        entries=entries,
    )
    if entries:
        keep_figure(waterfall(entries, rid), run.evidence / "flow_waterfall.png")
        table.to_csv(run.evidence / "flow_hops.csv", index=False)
    c.measure(
        request_id=rid,
        flow_total_s=round(total, 3),
        hop_p50_ms={row.hop: round(row.p50_ms, 2) for row in table.itertuples()},
        steps_s={k: round(v, 3) for k, v in steps.items()},
    )
    c.expect(total <= s.flow_total_s_max, f"the flow took {total:.1f} s, budget {s.flow_total_s_max:g} s")
    c.expect_none(problems)
