"""Check `error_propagation`: with one hop down, its callers answer 503/424 naming the failing hop
(not 500, not a hang), and nothing is half-written once the hop is back.

The sandbox takes a hop down through its admin endpoint: the brain drops every MCP connection
after its first message (`drop_connections: 1`), the character and story services answer 503
(`outage`). A live run skips the check unless the admin URLs are given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..checks import CheckContext
from ..sandbox import set_faults
from ._http import Reply, new_request_id
from ._orchestrator import run_scene_job
from ._run import CrossServiceRun

BRAIN_DOWN = {"drop_connections": 1}
OUTAGE = {"outage": True}


@contextmanager
def hop_down(admin_url: str, switches: Mapping[str, Any]) -> Iterator[None]:
    set_faults(admin_url, switches)
    try:
        yield
    finally:
        set_faults(admin_url, dict.fromkeys(switches))


def answer_problems(reply: Reply, hop: str, what: str, timeout_s: float) -> list[str]:
    """A caller's answer while `hop` is down: 503 or 424, naming the hop, in bounded time."""
    problems = []
    if reply.status not in (503, 424):
        problems.append(
            f"{what} with {hop} down answered {reply.status} (expected 503/424 naming {hop}): {reply.describe()}"
        )
    elif not isinstance(reply.body, dict) or reply.body.get("failed_hop") != hop:
        problems.append(f"{what} with {hop} down answered {reply.status} without naming {hop}: {reply.describe()}")
    if reply.elapsed_s > timeout_s:
        problems.append(f"{what} with {hop} down took {reply.elapsed_s:.1f} s (budget {timeout_s:g} s)")
    return problems


def check_error_propagation(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    if not s.can_inject_faults:
        c.skip("needs brain_admin_url, characters_admin_url and story_admin_url to take hops down")
    project = s.project("a")
    rid = new_request_id("errors")
    budget = s.request_timeout_s / 2
    problems: list[str] = []
    before = {r["id"] for r in run.list_characters(project, rid).body.get("characters", [])}
    brain_before = set(run.brain_ids(project))
    name = f"Errand {rid[-6:]}"
    timings: dict[str, float] = {}

    with hop_down(s.brain_admin_url, BRAIN_DOWN):
        reply = run.create_character(project, name, "A courier who runs messages between rival guilds.", rid)
        timings["create with brain down"] = reply.elapsed_s
        problems += answer_problems(reply, "brain", "POST characters", budget)
        story = run.flow.get("story_id")
        if story:
            cast = run.rest.call("POST", f"{run.stories(project)}/{story}/cast", rid=rid)
            timings["cast with brain down"] = cast.elapsed_s
            problems += answer_problems(cast, "brain", "POST story cast", budget)
    # Recovery: no row for the failed create, and nothing in the brain the service does not know.
    after = {r["id"]: r for r in run.list_characters(project, rid).body.get("characters", [])}
    orphans = [row_id for row_id, row in after.items() if row_id not in before and row["name"] == name]
    if orphans:
        problems.append(f"orphan row: the failed create left {orphans} in the character service")
    extra = sorted(set(run.brain_ids(project)) - brain_before - set(after))
    if extra:
        problems.append(f"orphan embedding: the brain holds {extra} that the character service does not")

    with hop_down(s.characters_admin_url, OUTAGE):
        ids = sorted(after)[:1]
        reply = run.rest.call(
            "POST", run.stories(project), rid=rid, json_body={"title": "Outage", "character_ids": ids}
        )
        timings["story with characters down"] = reply.elapsed_s
        if ids:
            problems += answer_problems(reply, "characters", "POST stories", budget)
        if s.tasks_url and run.flow.get("story_id"):
            job = _job(run, rid)
            timings["job with characters down"] = job.elapsed_s
            if job.state != "FAILURE" or "characters" not in job.error:
                problems.append(
                    f"produce_scene with characters down ended {job.state} ({job.error!r}); expected "
                    "FAILURE naming characters"
                )
    stories = run.rest.call("GET", run.stories(project), rid=rid).body.get("stories", [])
    if any(st.get("title") == "Outage" for st in stories):
        problems.append("half-written story: the story created while characters was down exists")

    if s.tasks_url and run.flow.get("story_id"):
        with hop_down(s.story_admin_url, OUTAGE):
            job = _job(run, rid)
            timings["job with story down"] = job.elapsed_s
            if job.state != "FAILURE" or "story" not in job.error:
                problems.append(
                    f"produce_scene with story down ended {job.state} ({job.error!r}); expected FAILURE naming story"
                )
    c.measure(request_id=rid, seconds={k: round(v, 3) for k, v in timings.items()})
    c.expect_none(problems)


def _job(run: CrossServiceRun, rid: str) -> Any:
    s = run.settings
    return run_scene_job(
        run.rest,
        s.tasks_url,
        project_id=s.project("a"),
        story_id=run.flow["story_id"],
        story_url=s.story_url,
        characters_url=s.characters_url,
        rid=rid,
        timeout_s=s.job_timeout_s,
    )
