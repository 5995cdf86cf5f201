"""Chance level and the negative control: an evaluation that cannot tell a model from noise is broken.

* Chance: the mean score of uniformly random rankings of the same documents (seeded Monte Carlo),
  with the spread of that mean over `draws` repetitions.
* Control: the model's real rankings scored against *shuffled* relevance (each query's grades
  moved onto a random permutation of the document ids). A sound evaluation puts the control near
  chance; a control that scores like the model means the scores come from the harness (a leak
  such as query i sharing a seed, an id order or a vector with document i), not from the model.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, pstdev

from ._metrics import Qrels, mean_scores, score_query

SEED = 20261202


@dataclass(frozen=True)
class Chance:
    mean: dict[str, float]
    sd: dict[str, float]
    draws: int


@dataclass(frozen=True)
class ControlVerdict:
    metric: str
    control: float
    chance: float
    tolerance: float
    near_chance: bool

    def problem(self) -> str | None:
        if self.near_chance:
            return None
        return (
            f"negative control broken: shuffled relevance scores {self.metric} {self.control:.3f}, chance is "
            f"{self.chance:.3f} ± {self.tolerance:.3f}; the evaluation measures the harness, not the model"
        )


def _scores(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Qrels], top_grade: int) -> dict[str, float]:
    return mean_scores([score_query(rankings[q], qrels[q], top_grade=top_grade) for q in qrels])


def chance_level(
    doc_ids: Sequence[str], qrels: Mapping[str, Qrels], *, top_grade: int, draws: int = 200, seed: int = SEED
) -> Chance:
    rng = random.Random(seed)
    means: list[dict[str, float]] = []
    for _ in range(draws):
        rankings = {q: rng.sample(list(doc_ids), len(doc_ids)) for q in qrels}
        means.append(_scores(rankings, qrels, top_grade))
    names = list(means[0])
    return Chance(
        mean={n: fmean(m[n] for m in means) for n in names},
        sd={n: pstdev(m[n] for m in means) for n in names},
        draws=draws,
    )


def shuffled_qrels(doc_ids: Sequence[str], qrels: Mapping[str, Qrels], rng: random.Random) -> dict[str, dict[str, int]]:
    """Each query's grades moved onto a random permutation of the document ids."""
    out = {}
    for query, grades in qrels.items():
        permuted = rng.sample(list(doc_ids), len(doc_ids))
        mapping = dict(zip(doc_ids, permuted, strict=True))
        out[query] = {mapping[doc]: grade for doc, grade in grades.items()}
    return out


def control_scores(
    rankings: Mapping[str, Sequence[str]],
    doc_ids: Sequence[str],
    qrels: Mapping[str, Qrels],
    *,
    top_grade: int,
    repeats: int = 5,
    seed: int = SEED + 1,
) -> dict[str, float]:
    """The model's rankings against shuffled relevance, averaged over `repeats` shuffles."""
    rng = random.Random(seed)
    runs = [_scores(rankings, shuffled_qrels(doc_ids, qrels, rng), top_grade) for _ in range(repeats)]
    return {name: fmean(run[name] for run in runs) for name in runs[0]}


def control_verdict(
    control: Mapping[str, float], chance: Chance, *, metric: str = "ndcg@10", min_tolerance: float = 0.05
) -> ControlVerdict:
    """Near chance = within max(4 sd of the chance mean, `min_tolerance`) of it."""
    tolerance = max(4 * chance.sd[metric], min_tolerance)
    value = float(control[metric])
    return ControlVerdict(metric, value, chance.mean[metric], tolerance, abs(value - chance.mean[metric]) <= tolerance)
