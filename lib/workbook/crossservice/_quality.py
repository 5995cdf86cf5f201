"""Checks `embedding_quality`, `embedding_behaviour`, `negative_scores` and `clustering`: the brain's
similarity search judged on the evaluation set, through its own two tools.

The brain makes its own ids and answers at most 10 results per query, with no search by id: the
documents go into a project of their own (their description as both personality and appearance,
so the weighted score is the plain cosine), each query's top 10 are mapped back to the set's ids,
and nDCG@10, Recall@1/5 and MRR (@10: a target ranked past 10 counts 0) are scored. The scores
only count if the negative control (the same rankings against shuffled relevance) lands near
chance. Clustering needs every pair's similarity: the documents are also spread over projects of
at most 10, and each description is searched in each, which gives the whole matrix.
"""

from __future__ import annotations

import statistics
from typing import Any

import numpy as np

from ..checks import CheckContext
from ..embeddings import Document, evaluate_rankings, nearest_centroid_accuracy, shuffled_labels, silhouette
from ._brain import BrainError
from ._run import CrossServiceRun

TOP = 10  # the brain's fixed result count
BACKSTORY = (
    " She learned to draw a bow before she could read, taught by her grandmother among the silver birches."
    " Every autumn she walks the border of the old woods, mending snares cut by trappers and marking trees."
    " Travellers say her arrows sing before they strike, and that no deer is taken in her forest without leave."
)


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def load_documents(
    run: CrossServiceRun, project: str, documents: tuple[Document, ...]
) -> tuple[dict[str, str], list[float]]:
    """Create `documents` in `project`; (brain id -> set id, per-create seconds)."""
    ids, seconds = {}, []
    for doc in documents:
        brain_id, elapsed = run.brain.timed_create(project, doc.name, doc.description, doc.description)
        ids[brain_id] = doc.id
        seconds.append(elapsed)
    return ids, seconds


def rank(run: CrossServiceRun, project: str, text: str, ids: dict[str, str]) -> tuple[list[str], list[float], float]:
    results, elapsed = run.brain.timed_find(project, text)
    known = [r for r in results if str(r.get("id")) in ids]
    return [ids[str(r["id"])] for r in known], [float(r.get("similarity_score", 0.0)) for r in known], elapsed


def check_embedding_quality(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    project = run.project("eval")
    ids, create_s = load_documents(run, project, run.eval_set.documents)
    rankings, query_s = {}, []
    for query in run.eval_set.queries:
        ranking, _, elapsed = rank(run, project, query.text, ids)
        rankings[query.id] = ranking
        query_s.append(elapsed)
    report = evaluate_rankings(rankings, run.eval_set)
    run.quality.update(report=report, create_s=create_s, query_s=query_s, ids=ids, project=project)
    report.frame().to_csv(run.evidence / "retrieval_per_query.csv", index=False)
    c.measure(
        **{name.replace("@", "_at_"): round(value, 4) for name, value in report.scores.items()},
        control_ndcg_at_10=round(report.control["ndcg@10"], 4),
        chance_ndcg_at_10=round(report.chance.mean["ndcg@10"], 4),
        documents=len(run.eval_set.documents),
        queries=len(run.eval_set.queries),
        results_per_query=TOP,
        eval_set=run.eval_set.name,
    )
    problem = report.verdict.problem()
    if problem:
        c.fail(problem)  # the scores below would mean nothing
    budgets = {
        "ndcg@10": s.ndcg_at_10_min,
        "recall@1": s.recall_at_1_min,
        "recall@5": s.recall_at_5_min,
        "mrr": s.mrr_min,
    }
    c.expect_none(report.budget_problems(budgets))


def check_embedding_behaviour(c: CheckContext, run: CrossServiceRun) -> None:
    """Same text -> same ranking and scores; a long description is still found by its query;
    latency of one create (two embeddings + store) and one search (one embedding + rank)."""
    if not run.quality:
        c.skip("embedding_quality did not load the evaluation set")
    s = run.settings
    project, ids = run.quality["project"], dict(run.quality["ids"])
    problems: list[str] = []
    for query in run.eval_set.queries[: min(5, len(run.eval_set.queries))]:
        a_ids, a_scores, _ = rank(run, project, query.text, ids)
        b_ids, b_scores, _ = rank(run, project, query.text, ids)
        if a_ids != b_ids or not np.allclose(a_scores, b_scores, atol=1e-6):
            problems.append(f"query {query.id} ranked differently on a repeat: same text, different ranking")
    target_query = run.eval_set.queries[0]
    target = max(target_query.relevance, key=lambda doc: target_query.relevance[doc])
    base = run.eval_set.document(target).description
    text = (base + BACKSTORY * (s.long_text_chars // len(BACKSTORY) + 1))[: s.long_text_chars]
    long_project = run.project("long")
    long_id, long_create_s = run.brain.timed_create(long_project, "long", text, base)
    found = [str(r.get("id")) for r in run.brain.find(long_project, target_query.text)]
    if long_id not in found:
        problems.append(
            f"the {len(text)}-character description of {target} is not found by its query {target_query.id}"
        )
    create_ms = [x * 1000 for x in run.quality["create_s"]]
    query_ms = [x * 1000 for x in run.quality["query_s"]]
    p50 = statistics.median(create_ms)
    c.measure(
        embed_p50_ms=round(p50, 2),
        embed_p95_ms=round(_percentile(create_ms, 95), 2),
        query_p50_ms=round(statistics.median(query_ms), 2),
        query_p95_ms=round(_percentile(query_ms, 95), 2),
        long_text_chars=len(text),
        long_text_create_ms=round(long_create_s * 1000, 2),
    )
    c.expect(p50 <= s.embed_p50_ms_max, f"create p50 {p50:.0f} ms is over its budget {s.embed_p50_ms_max:g} ms")
    c.expect_none(problems)


def chunks(run: CrossServiceRun) -> list[tuple[str, dict[str, str]]]:
    """The documents spread over projects of at most 10 (created once per run): (project, id map)."""
    if "chunks" not in run.quality:
        docs = run.eval_set.documents
        made = []
        for index in range(0, len(docs), TOP):
            project = run.project(f"c{index // TOP}")
            made.append((project, load_documents(run, project, docs[index : index + TOP])[0]))
        run.quality["chunks"] = made
    return list(run.quality["chunks"])


def check_negative_scores(c: CheckContext, run: CrossServiceRun) -> None:
    """Projects whose characters score below zero for a query must still answer the search: one
    query per group in every chunk project (many unrelated pairs), every search must succeed."""
    seen: dict[str, Any] = {"searches": 0, "failed": 0, "zero_scores": 0, "min_score": None}
    failures: list[str] = []
    firsts: dict[str, Any] = {}
    for query in run.eval_set.queries:
        group = run.eval_set.document(max(query.relevance, key=lambda d: query.relevance[d])).group
        firsts.setdefault(group, query)
    for project, _ in chunks(run):
        for query in firsts.values():
            seen["searches"] += 1
            try:
                results = run.brain.find(project, query.text)
            except BrainError as error:
                seen["failed"] += 1
                failures.append(f"{project} / {query.id}: {error}")
                continue
            scores = [float(r.get("similarity_score", 0.0)) for r in results]
            seen["zero_scores"] += sum(1 for score in scores if score <= 0.0)
            if scores:
                low = min(scores)
                seen["min_score"] = low if seen["min_score"] is None else min(seen["min_score"], low)
    c.measure(**seen)
    if failures:
        c.fail(
            f"{len(failures)} of {seen['searches']} searches failed in projects whose characters are unrelated to "
            f"the query (negative weighted scores): {failures[0][:300]}"
        )


def similarity_matrix(run: CrossServiceRun) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Every pair's score: each description searched in every chunk project (<= 10 characters each)."""
    docs = [d.id for d in run.eval_set.documents]
    index = {doc_id: i for i, doc_id in enumerate(docs)}
    matrix = np.eye(len(docs))
    for doc in run.eval_set.documents:
        for project, ids in chunks(run):
            ranked, scores, _ = rank(run, project, doc.description, ids)
            for other, score in zip(ranked, scores, strict=True):
                if other != doc.id:
                    matrix[index[doc.id], index[other]] = score
    return matrix, [run.eval_set.document(doc_id).group for doc_id in docs]


def check_clustering(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    matrix, labels = similarity_matrix(run)
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
