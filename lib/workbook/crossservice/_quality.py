"""Checks `embedding_quality`, `embedding_behaviour` and `clustering`: the brain's similarity search
judged on the evaluation set, through the same MCP tools the platform uses.

The documents go into their own project (`eval_project`) under their set ids; each query's
ranking is the brain's `find_similar_characters` over every document. The scores only count if
the negative control (the same rankings against shuffled relevance) lands near chance.
"""

from __future__ import annotations

import statistics
from typing import Any

import numpy as np

from ..checks import CheckContext
from ..embeddings import evaluate_rankings, nearest_centroid_accuracy, shuffled_labels, silhouette
from ._flow import sha256
from ._http import new_request_id
from ._run import CrossServiceRun

LONG_ID = "long-text-1"
BACKSTORY = (
    " She learned to draw a bow before she could read, taught by her grandmother among the silver birches."
    " Every autumn she walks the border of the old woods, mending snares cut by trappers and marking trees."
    " Travellers say her arrows sing before they strike, and that no deer is taken in her forest without leave."
)


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def _load_documents(run: CrossServiceRun, rid: str) -> list[float]:
    """Replace whatever the eval project holds with the set's documents; per-create latencies (s)."""
    project = run.settings.project("eval")
    for existing in run.brain_ids(project):
        run.brain.call("delete_character", {"project_id": project, "character_id": existing}, rid=rid)
    latencies = []
    for doc in run.eval_set.documents:
        _, elapsed = run.brain.timed(
            "create_character",
            {"project_id": project, "character_id": doc.id, "name": doc.name, "description": doc.description},
            rid=rid,
        )
        latencies.append(elapsed)
    return latencies


def _rank(run: CrossServiceRun, text: str, rid: str) -> tuple[list[str], list[float], float]:
    results, elapsed = run.brain.timed(
        "find_similar_characters",
        {"project_id": run.settings.project("eval"), "query": text, "top_k": min(len(run.eval_set.documents) + 1, 100)},
        rid=rid,
    )
    ranked = [r for r in results.get("results", []) if r["id"] != LONG_ID]
    return [r["id"] for r in ranked], [float(r.get("score", 0.0)) for r in ranked], elapsed


def check_embedding_quality(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    rid = new_request_id("quality")
    create_s = _load_documents(run, rid)
    rankings, query_s = {}, []
    for query in run.eval_set.queries:
        ranking, _, elapsed = _rank(run, query.text, rid)
        rankings[query.id] = ranking
        query_s.append(elapsed)
    report = evaluate_rankings(rankings, run.eval_set)
    run.quality.update(report=report, create_s=create_s, query_s=query_s, rankings=rankings)
    report.frame().to_csv(run.evidence / "retrieval_per_query.csv", index=False)
    c.measure(
        **{name.replace("@", "_at_"): round(value, 4) for name, value in report.scores.items()},
        control_ndcg_at_10=round(report.control["ndcg@10"], 4),
        chance_ndcg_at_10=round(report.chance.mean["ndcg@10"], 4),
        documents=len(run.eval_set.documents),
        queries=len(run.eval_set.queries),
        eval_set=run.eval_set.name,
    )
    problem = report.verdict.problem()
    if problem:
        c.fail(problem)  # the scores below would mean nothing
    c.expect_none(
        report.budget_problems(
            {
                "ndcg@10": s.ndcg_at_10_min,
                "recall@1": s.recall_at_1_min,
                "recall@5": s.recall_at_5_min,
                "mrr": s.mrr_min,
            }
        )
    )


def check_embedding_behaviour(c: CheckContext, run: CrossServiceRun) -> None:
    """Same text -> same ranking and scores; a long description is stored whole and still found;
    latency per embed (create = one document embedding, query = one query embedding + search)."""
    if not run.quality:
        c.skip("embedding_quality did not load the evaluation set")
    s = run.settings
    rid = new_request_id("behaviour")
    problems: list[str] = []
    first = run.eval_set.queries[: min(5, len(run.eval_set.queries))]
    for query in first:
        a_ids, a_scores, _ = _rank(run, query.text, rid)
        b_ids, b_scores, _ = _rank(run, query.text, rid)
        if a_ids != b_ids or not np.allclose(a_scores, b_scores, atol=1e-6):
            problems.append(f"query {query.id} ranked differently on a repeat: same text, different ranking")
    target_query = run.eval_set.queries[0]
    target = max(target_query.relevance, key=lambda doc: target_query.relevance[doc])
    base = run.eval_set.document(target).description
    text = (base + BACKSTORY * (s.long_text_chars // len(BACKSTORY) + 1))[: s.long_text_chars]
    project = s.project("eval")
    _, long_s = run.brain.timed(
        "create_character",
        {"project_id": project, "character_id": LONG_ID, "name": "long", "description": text},
        rid=rid,
    )
    held = run.brain_ids(project).get(LONG_ID)
    if held is None or sha256(str(held.get("description", ""))) != sha256(text):
        problems.append(f"the {len(text)}-character description was not stored whole")
    # Within the nDCG@10 window for its query, and nearest to a character of its own group.
    results = run.brain.similar(project, query=target_query.text, top_k=10, rid=rid)
    if LONG_ID not in [r["id"] for r in results]:
        problems.append(f"the long version of {target} is not in the top 10 for its query {target_query.id}")
    group = run.eval_set.document(target).group
    nearest = run.brain.similar(project, character_id=LONG_ID, top_k=1, rid=rid)
    if not nearest or nearest[0]["id"] not in run.eval_set.groups[group]:
        problems.append(
            f"the long version of {target} is nearest to {nearest[0]['id'] if nearest else 'nothing'}, "
            f"not to a {group} character"
        )
    run.brain.call("delete_character", {"project_id": project, "character_id": LONG_ID}, rid=rid)
    create_ms = [x * 1000 for x in run.quality["create_s"]]
    query_ms = [x * 1000 for x in run.quality["query_s"]]
    p50 = statistics.median(create_ms)
    c.measure(
        embed_p50_ms=round(p50, 2),
        embed_p95_ms=round(_percentile(create_ms, 95), 2),
        query_p50_ms=round(statistics.median(query_ms), 2),
        query_p95_ms=round(_percentile(query_ms, 95), 2),
        long_text_chars=len(text),
        long_text_embed_ms=round(long_s * 1000, 2),
    )
    c.expect(p50 <= s.embed_p50_ms_max, f"embedding p50 {p50:.0f} ms is over its budget {s.embed_p50_ms_max:g} ms")
    c.expect_none(problems)


def similarity_matrix(run: CrossServiceRun, rid: str) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Cosine between every pair of documents, from `find_similar_characters` by character id."""
    ids = [d.id for d in run.eval_set.documents]
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    matrix = np.eye(len(ids))
    for doc_id in ids:
        for result in run.brain.similar(run.settings.project("eval"), character_id=doc_id, top_k=100, rid=rid):
            if result["id"] in index:
                matrix[index[doc_id], index[result["id"]]] = float(result.get("score", 0.0))
    return matrix, [run.eval_set.document(doc_id).group for doc_id in ids]


def check_clustering(c: CheckContext, run: CrossServiceRun) -> None:
    if not run.quality:
        c.skip("embedding_quality did not load the evaluation set")
    s = run.settings
    matrix, labels = similarity_matrix(run, new_request_id("clustering"))
    shuffled = shuffled_labels(labels)
    sil, sil_control = silhouette(matrix, labels), silhouette(matrix, shuffled)
    acc, acc_control = nearest_centroid_accuracy(matrix, labels), nearest_centroid_accuracy(matrix, shuffled)
    chance = 1 / len(set(labels))
    c.measure(
        silhouette=round(sil, 4),
        silhouette_control=round(sil_control, 4),
        centroid_accuracy=round(acc, 4),
        centroid_accuracy_control=round(acc_control, 4),
        chance_accuracy=round(chance, 4),
        groups=len(set(labels)),
    )
    if sil_control > 0.02 or acc_control > chance + 0.15:
        c.fail(
            f"clustering control broken: shuffled groups score silhouette {sil_control:.3f} / accuracy "
            f"{acc_control:.3f} (chance {chance:.3f}); the measure does not depend on the groups"
        )
    c.expect(sil >= s.silhouette_min, f"silhouette {sil:.3f} is below its budget {s.silhouette_min:g}")
    c.expect(
        acc >= s.centroid_accuracy_min, f"nearest-centroid accuracy {acc:.3f} is below {s.centroid_accuracy_min:g}"
    )
