"""Check `consistency`: an update reaches the brain (no stale embedding), a delete reaches the brain
and the story (no orphan embedding, no dangling reference), and the services agree on counts."""

from __future__ import annotations

from ..checks import CheckContext
from ._flow import sha256
from ._http import new_request_id
from ._run import CrossServiceRun

NEW_DESCRIPTION = "A deep-sea diver who explores sunken shipwrecks and photographs glowing jellyfish in the abyss."
NEW_QUERY = "underwater explorer of wrecked ships taking pictures of luminous sea creatures"


def check_consistency(c: CheckContext, run: CrossServiceRun) -> None:
    flow = run.flow
    if not flow.get("created"):
        c.skip("the flow check created no characters to change")
    project, story_id = flow["project"], flow["story_id"]
    updated, deleted = flow["created"][0], flow["created"][1]
    rid = new_request_id("consistency")
    problems: list[str] = []

    patch = run.rest.call(
        "PATCH", f"{run.characters(project)}/{updated['id']}", rid=rid, json_body={"description": NEW_DESCRIPTION}
    )
    if patch.status != 200:
        c.fail(f"PATCH character answered {patch.describe()}")
    held = run.brain_ids(project).get(updated["id"])
    if held is None:
        problems.append(f"{updated['id']} vanished from the brain after an update")
    elif sha256(str(held.get("description", ""))) != sha256(NEW_DESCRIPTION):
        problems.append(f"stale embedding: the brain still holds the old description of {updated['id']} after PATCH")
    top = run.brain.similar(project, query=NEW_QUERY, top_k=1, rid=rid)
    if not top or top[0]["id"] != updated["id"]:
        problems.append(
            f"stale embedding: a query for the new description ranks {top[0]['id'] if top else 'nothing'} "
            f"first, not the updated {updated['id']}"
        )

    gone = run.rest.call("DELETE", f"{run.characters(project)}/{deleted['id']}", rid=rid)
    if gone.status != 200:
        c.fail(f"DELETE character answered {gone.describe()}")
    if run.rest.call("GET", f"{run.characters(project)}/{deleted['id']}", rid=rid).status != 404:
        problems.append(f"deleted {deleted['id']} is still readable from the character service")
    brain_now = run.brain_ids(project, rid=rid)
    if deleted["id"] in brain_now:
        problems.append(f"orphan embedding: the brain still ranks deleted {deleted['id']}")
    story = run.rest.call("GET", f"{run.stories(project)}/{story_id}", rid=rid)
    cast_ids = [m["character_id"] for m in story.body.get("cast", [])] if story.ok else []
    if deleted["id"] in cast_ids:
        problems.append(f"dangling reference: story {story_id} still casts deleted {deleted['id']}")

    listed = run.list_characters(project, rid)
    rows = {r["id"] for r in listed.body.get("characters", [])} if listed.ok else set()
    if rows != set(brain_now):
        problems.append(
            f"counts disagree: character service holds {len(rows)} in {project!r}, the brain {len(brain_now)} "
            f"(only in the service: {sorted(rows - set(brain_now))[:5]}, only in the brain: "
            f"{sorted(set(brain_now) - rows)[:5]})"
        )
    dangling = sorted(set(cast_ids) - rows)
    if dangling:
        problems.append(f"dangling reference: story {story_id} casts {dangling}, unknown to the character service")
    c.measure(characters=len(rows), brain=len(brain_now), story_cast=len(cast_ids), request_id=rid)
    c.expect_none(problems)
