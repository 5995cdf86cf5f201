"""Score one model's rankings on an evaluation set, with chance level and the negative control."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import UsageError
from ._control import Chance, ControlVerdict, chance_level, control_scores, control_verdict
from ._evalset import EvalSet
from ._metrics import mean_scores, score_query


@dataclass(frozen=True)
class RetrievalReport:
    scores: dict[str, float]
    per_query: tuple[dict[str, Any], ...]
    chance: Chance
    control: dict[str, float]
    verdict: ControlVerdict

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.per_query))

    def summary(self) -> pd.DataFrame:
        rows = [
            {
                "metric": name,
                "model": self.scores[name],
                "control (shuffled relevance)": self.control[name],
                "chance": self.chance.mean[name],
            }
            for name in self.scores
        ]
        return pd.DataFrame(rows).set_index("metric")

    def budget_problems(self, budgets: Mapping[str, float]) -> list[str]:
        """One problem per metric below its minimum."""
        return [
            f"{name} {self.scores[name]:.3f} is below its budget {minimum:.3f}"
            for name, minimum in budgets.items()
            if self.scores[name] < minimum
        ]


def evaluate_rankings(rankings: Mapping[str, Sequence[str]], eval_set: EvalSet) -> RetrievalReport:
    """`rankings`: query id -> document ids, best first (the whole ranking the system returned)."""
    missing = [q.id for q in eval_set.queries if q.id not in rankings]
    if missing:
        raise UsageError(f"no ranking for query id(s) {missing[:5]}")
    top = eval_set.top_grade
    qrels = {q.id: q.relevance for q in eval_set.queries}
    per_query: list[dict[str, Any]] = []
    for query in eval_set.queries:
        ranking = list(rankings[query.id])
        target = next((doc for doc, grade in query.relevance.items() if grade == top), None)
        per_query.append(
            {
                "query": query.id,
                "text": query.text,
                "top1": ranking[0] if ranking else None,
                "target_rank": ranking.index(target) + 1 if target in ranking else None,
                **score_query(ranking, query.relevance, top_grade=top),
            }
        )
    doc_ids = [d.id for d in eval_set.documents]
    chance = chance_level(doc_ids, qrels, top_grade=top)
    control = control_scores(rankings, doc_ids, qrels, top_grade=top)
    return RetrievalReport(
        scores=mean_scores(
            [{k: float(row[k]) for k in ("ndcg@10", "recall@1", "recall@5", "mrr")} for row in per_query]
        ),
        per_query=tuple(per_query),
        chance=chance,
        control=control,
        verdict=control_verdict(control, chance),
    )
