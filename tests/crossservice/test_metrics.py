"""Ranking metrics against small cases computed by hand (pytrec_eval conventions: linear gain)."""

from __future__ import annotations

import math

import pytest

from workbook import UsageError
from workbook.embeddings import mean_scores, ndcg_at_k, recall_at_k, reciprocal_rank, score_query


def test_ndcg_graded_by_hand() -> None:
    qrels = {"a": 2, "b": 1, "c": 0}
    # ranking c, a, b: DCG = 0/log2(2) + 2/log2(3) + 1/log2(4) = 1.261860 + 0.5 = 1.761860;
    # ideal a, b, c: 2/log2(2) + 1/log2(3) = 2.630930; nDCG = 0.669672
    dcg = 2 / math.log2(3) + 1 / math.log2(4)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)  # a, b
    assert ndcg_at_k(["c", "a", "b"], qrels, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(["c", "a", "b"], qrels, 10) == pytest.approx(0.669672, abs=1e-6)
    assert ndcg_at_k(["a", "b", "c"], qrels, 10) == pytest.approx(1.0)
    # k cuts both the ranking and the ideal: top-1 'c' scores 0, top-1 'a' scores 1
    assert ndcg_at_k(["c", "a"], qrels, 1) == 0.0
    assert ndcg_at_k(["a", "c"], qrels, 1) == 1.0


def test_ndcg_unknown_documents_and_no_relevant() -> None:
    assert ndcg_at_k(["x", "y", "a"], {"a": 1}, 2) == 0.0
    assert ndcg_at_k(["x", "a"], {"a": 1}, 2) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k(["a"], {"a": 0}, 10) == 0.0


def test_recall_and_mrr_by_hand() -> None:
    qrels = {"a": 2, "b": 1, "c": 1, "d": 0}
    ranking = ["d", "b", "a", "c"]
    assert recall_at_k(ranking, qrels, 1) == 0.0
    assert recall_at_k(ranking, qrels, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranking, qrels, 3, min_grade=2) == 1.0
    assert recall_at_k(ranking, qrels, 2, min_grade=2) == 0.0
    assert reciprocal_rank(ranking, qrels) == 0.5
    assert reciprocal_rank(ranking, qrels, min_grade=2) == pytest.approx(1 / 3)
    assert reciprocal_rank(["d"], qrels) == 0.0


def test_score_query_and_mean() -> None:
    one = score_query(["a", "b"], {"a": 2, "b": 1}, top_grade=2)
    two = score_query(["b", "a"], {"a": 2, "b": 1}, top_grade=2)
    assert one == {"ndcg@10": 1.0, "recall@1": 1.0, "recall@5": 1.0, "mrr": 1.0}
    assert two["recall@1"] == 0.0 and two["mrr"] == 0.5 and two["recall@5"] == 1.0
    assert two["ndcg@10"] == pytest.approx((1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3)))
    assert mean_scores([one, two])["mrr"] == 0.75


def test_bad_k_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="k must be an integer >= 1, got 0"):
        ndcg_at_k(["a"], {"a": 1}, 0)
    with pytest.raises(UsageError, match="no queries"):
        mean_scores([])
