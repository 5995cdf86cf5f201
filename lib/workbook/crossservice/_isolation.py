"""Check `isolation`: project A/B x resource of A/B x read/list/search/similar.

Diagonal cells must find the resource; every off-diagonal cell must answer 403/404 or return
none of the other project's ids. "similar" covers the brain's vector search three ways (a text
query, a character id of the other project, the story service's casting) — a missing tenant
filter in similarity search leaks ids even when every REST route is scoped correctly.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..checks import CheckContext
from ._brain import BrainError
from ._http import new_request_id
from ._run import CrossServiceRun

B_CHARACTERS = (
    ("Tansy Hollow", "A village hedge witch who brews potions and charms from herbs in her cottage."),
    ("Jonah Blue", "A blues guitarist who plays smoky bars in the Mississippi Delta for tips."),
)


def _ids(body: Any, key: str = "characters") -> set[str]:
    if not isinstance(body, dict):
        return set()
    return {str(item.get("id") or item.get("character_id")) for item in body.get(key, []) if isinstance(item, dict)}


def check_isolation(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    rid = new_request_id("isolation")
    a, b = s.project("a"), s.project("b")
    owned: dict[str, list[dict[str, str]]] = {a: [], b: []}
    for name, description in B_CHARACTERS:
        reply = run.create_character(b, name, description, rid)
        if reply.status != 201:
            c.fail(f"POST characters in {b!r} answered {reply.describe()}")
        owned[b].append({"id": reply.body["id"], "name": name, "description": description})
    rows_a = run.list_characters(a, rid).body.get("characters", [])
    if not rows_a:
        c.skip(f"project {a!r} has no characters (the flow check did not run)")
    owned[a] = [{"id": r["id"], "name": r["name"], "description": r["description"]} for r in rows_a[:2]]
    cells: list[dict[str, Any]] = []
    problems: list[str] = []

    def cell(context: str, owner: str, operation: str, leaked: set[str], found: bool, status: Any) -> None:
        diagonal = context == owner
        ok = found if diagonal else not leaked
        cells.append(
            {
                "context": context,
                "owner": owner,
                "operation": operation,
                "diagonal": diagonal,
                "status": status,
                "found_or_leaked": sorted(leaked)[:3] if not diagonal else found,
                "ok": ok,
            }
        )
        if not ok:
            if diagonal:
                problems.append(
                    f"{operation} in {context!r} does not find its own {owner!r} resource (status {status})"
                )
            else:
                problems.append(
                    f"{operation} in {context!r} leaks {sorted(leaked)[:3]} of project {owner!r} (status {status})"
                )

    for context in (a, b):
        for owner in (a, b):
            target = owned[owner][0]
            theirs = {o["id"] for o in owned[owner]}
            read = run.rest.call("GET", f"{run.characters(context)}/{target['id']}", rid=rid)
            leaked = {target["id"]} if read.ok and context != owner else set()
            cell(context, owner, "read", leaked, read.ok, read.status)
            listed = run.list_characters(context, rid)
            cell(context, owner, "list", _ids(listed.body) & theirs, bool(_ids(listed.body) & theirs), listed.status)
            search = run.list_characters(context, rid, q=target["name"])
            cell(context, owner, "search", _ids(search.body) & theirs, target["id"] in _ids(search.body), search.status)
            by_text = run.brain.similar(context, query=target["description"], top_k=10, rid=rid)
            hits = {r["id"] for r in by_text}
            cell(context, owner, "similar (brain, text)", hits & theirs, target["id"] in hits, "mcp")
            try:
                by_id = run.brain.similar(context, character_id=target["id"], top_k=10, rid=rid)
                status: Any = "mcp"
            except BrainError:
                by_id, status = [], "tool error"
            id_hits = {r["id"] for r in by_id}
            cell(
                context,
                owner,
                "similar (brain, id)",
                (id_hits & theirs) | ({target["id"]} if by_id and context != owner else set()),
                status == "mcp",
                status,
            )
            similar = run.rest.call("GET", f"{run.characters(context)}/{target['id']}/similar", rid=rid)
            sim_ids = {r["id"] for r in similar.body.get("results", [])} if similar.ok else set()
            leaked = (sim_ids & theirs) | ({target["id"]} if similar.ok and context != owner else set())
            cell(context, owner, "similar (character service)", leaked, similar.ok, similar.status)
    # Stories are resources too: read and list across projects.
    story_b = run.rest.call("POST", run.stories(b), rid=rid, json_body={"title": "B story"})
    stories = {a: run.flow.get("story_id"), b: story_b.body.get("id") if story_b.status == 201 else None}
    for context in (a, b):
        for owner in (a, b):
            story_id = stories[owner]
            if not story_id:
                continue
            read = run.rest.call("GET", f"{run.stories(context)}/{story_id}", rid=rid)
            cell(
                context,
                owner,
                "read story",
                {story_id} if read.ok and context != owner else set(),
                read.ok,
                read.status,
            )
            listed = run.rest.call("GET", run.stories(context), rid=rid)
            ids = _ids(listed.body, "stories") & {story_id}
            cell(context, owner, "list stories", ids, bool(ids), listed.status)
    # The story service's casting searches its own project only.
    story = run.rest.call(
        "POST",
        run.stories(a),
        rid=rid,
        json_body={"title": "Isolation", "roles": [{"role": "r", "description": d} for _, d in B_CHARACTERS]},
    )
    if story.status == 201:
        cast = run.rest.call("POST", f"{run.stories(a)}/{story.body['id']}/cast", rid=rid, params=None)
        offered = (
            {r["id"] for results in cast.body.get("candidates", {}).values() for r in results} if cast.ok else set()
        )
        cell(a, b, "similar (story casting)", offered & {o["id"] for o in owned[b]}, False, cast.status)
    frame = pd.DataFrame(cells)
    frame.to_csv(run.evidence / "isolation_matrix.csv", index=False)
    run.flow["isolation"] = frame
    c.measure(cells=len(cells), failed_cells=int((~frame["ok"]).sum()), request_id=rid)
    c.expect_none(problems)
