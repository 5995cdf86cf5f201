"""The negative control's verdict both ways, the embedding fault that must look like noise, and
the clustering measures on hand-made similarity matrices."""

from __future__ import annotations

import random

import numpy as np
import pytest

from workbook import UsageError
from workbook.embeddings import (
    chance_level,
    control_scores,
    control_verdict,
    evaluate_rankings,
    load_eval_set,
    nearest_centroid_accuracy,
    shuffled_labels,
    silhouette,
)
from workbook.sandbox.brain._embeddings import HashingEmbedder, unrelated_vectors

EVAL = load_eval_set()
DOCS = [d.id for d in EVAL.documents]
QRELS = {q.id: q.relevance for q in EVAL.queries}


def perfect_rankings() -> dict[str, list[str]]:
    return {q: sorted(DOCS, key=lambda d: -QRELS[q].get(d, 0)) for q in QRELS}


def test_sound_control_lands_near_chance_while_the_model_does_not() -> None:
    report = evaluate_rankings(perfect_rankings(), EVAL)
    assert report.scores["ndcg@10"] == pytest.approx(1.0)
    assert report.verdict.near_chance and report.verdict.problem() is None
    assert abs(report.control["ndcg@10"] - report.chance.mean["ndcg@10"]) < 0.05


def test_a_control_that_scores_like_the_model_is_declared_broken() -> None:
    """Hand the verdict the wrong answer on purpose: the 'control' is the unshuffled relevance."""
    chance = chance_level(DOCS, QRELS, top_grade=2)
    leaky = evaluate_rankings(perfect_rankings(), EVAL).scores  # what a leaking harness reports
    verdict = control_verdict(leaky, chance)
    assert not verdict.near_chance
    assert "negative control broken" in (verdict.problem() or "")


def test_a_shuffle_that_is_the_identity_is_caught() -> None:
    class Identity(random.Random):
        def sample(self, population, k, *, counts=None):  # type: ignore[no-untyped-def, override]
            return list(population)[:k]

    import workbook.embeddings._control as control

    real = control.random.Random
    control.random.Random = Identity  # type: ignore[misc]
    try:
        scores = control_scores(perfect_rankings(), DOCS, QRELS, top_grade=2)
    finally:
        control.random.Random = real  # type: ignore[misc]
    assert not control_verdict(scores, chance_level(DOCS, QRELS, top_grade=2)).near_chance


def _rank(queries: np.ndarray, docs: np.ndarray) -> dict[str, list[str]]:
    scores = queries @ docs.T
    return {q.id: [DOCS[j] for j in np.argsort(-scores[i], kind="stable")] for i, q in enumerate(EVAL.queries)}


def test_unrelated_embeddings_score_near_chance_and_are_seeded_per_text() -> None:
    docs = unrelated_vectors([d.description for d in EVAL.documents], 128)
    queries = unrelated_vectors([q.text for q in EVAL.queries], 128)
    report = evaluate_rankings(_rank(queries, docs), EVAL)
    assert abs(report.scores["ndcg@10"] - report.chance.mean["ndcg@10"]) < 0.1
    again = unrelated_vectors([EVAL.documents[0].description], 128)
    np.testing.assert_array_equal(again[0], docs[0])  # stable for a text


def test_the_one_seed_trap_scores_like_a_model() -> None:
    """Why the fault is seeded per text: one RNG seed per position gives query i document i's vector."""
    target = {q.id: max(q.relevance, key=q.relevance.__getitem__) for q in EVAL.queries}
    by_position = {d: np.random.default_rng(i).standard_normal(64) for i, d in enumerate(DOCS)}
    docs = np.stack([by_position[d] for d in DOCS])
    queries = np.stack([by_position[target[q.id]] for q in EVAL.queries])
    assert evaluate_rankings(_rank(queries, docs), EVAL).scores["recall@1"] == 1.0


def test_hashing_fallback_is_below_the_default_budget() -> None:
    embedder = HashingEmbedder()
    docs = embedder.embed([d.description for d in EVAL.documents])
    queries = embedder.embed([q.text for q in EVAL.queries])
    assert evaluate_rankings(_rank(queries, docs), EVAL).scores["ndcg@10"] < 0.6


def test_silhouette_and_centroid_by_hand() -> None:
    # two tight groups: within 0.9, across 0.1 -> a = 0.1, b = 0.9 -> (0.9 - 0.1) / 0.9
    sim = np.array([[1, 0.9, 0.1, 0.1], [0.9, 1, 0.1, 0.1], [0.1, 0.1, 1, 0.9], [0.1, 0.1, 0.9, 1]])
    labels = ["x", "x", "y", "y"]
    assert silhouette(sim, labels) == pytest.approx(0.8 / 0.9)
    assert nearest_centroid_accuracy(sim, labels) == 1.0
    assert silhouette(sim, ["x", "y", "x", "y"]) < 0
    assert nearest_centroid_accuracy(sim, ["x", "y", "x", "y"]) == 0.0
    assert sorted(shuffled_labels(labels)) == sorted(labels)
    with pytest.raises(UsageError, match="square matrix"):
        silhouette(sim[:3], labels)
    with pytest.raises(UsageError, match="two groups"):
        silhouette(sim, ["x"] * 4)
