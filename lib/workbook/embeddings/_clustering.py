"""Do characters of one group sit closer to each other than to other groups? From a similarity
matrix (cosine; what the brain's `find_similar_characters` returns), no vectors needed.

* Silhouette (Rousseeuw 1987) on distance = 1 - cosine: per item (b - a) / max(a, b), a = mean
  distance to its own group, b = smallest mean distance to another group; the mean over items.
  ~0 for random labels, up to 1 for tight separated groups.
* Nearest-centroid accuracy, leave-one-out: an item is assigned the group whose other members it
  is most similar to on average; the fraction assigned its own group (chance = 1 / groups).
* Control: the same with shuffled group labels must land near 0 / near chance.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ..errors import UsageError

Matrix = npt.NDArray[np.float64]


def _check(similarity: Matrix, labels: Sequence[str]) -> tuple[Matrix, npt.NDArray[np.str_]]:
    matrix = np.asarray(similarity, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] != len(labels):
        raise UsageError(f"similarity must be a square matrix matching {len(labels)} labels, got {matrix.shape}")
    if len(set(labels)) < 2:
        raise UsageError("clustering needs at least two groups")
    return matrix, np.asarray(labels)


def silhouette(similarity: Matrix, labels: Sequence[str]) -> float:
    matrix, names = _check(similarity, labels)
    distance = 1.0 - matrix
    values = []
    for i in range(len(names)):
        own = (names == names[i]) & (np.arange(len(names)) != i)
        if not own.any():
            values.append(0.0)  # a singleton group scores 0 by convention
            continue
        a = distance[i, own].mean()
        b = min(distance[i, names == other].mean() for other in set(names.tolist()) if other != names[i])
        values.append(0.0 if max(a, b) == 0 else (b - a) / max(a, b))
    return float(np.mean(values))


def nearest_centroid_accuracy(similarity: Matrix, labels: Sequence[str]) -> float:
    matrix, names = _check(similarity, labels)
    groups = sorted(set(names.tolist()))
    hits = 0
    for i in range(len(names)):
        others = np.arange(len(names)) != i
        means = [matrix[i, (names == g) & others].mean() if ((names == g) & others).any() else -np.inf for g in groups]
        hits += groups[int(np.argmax(means))] == names[i]
    return hits / len(names)


def shuffled_labels(labels: Sequence[str], seed: int = 20261203) -> list[str]:
    shuffled = list(labels)
    random.Random(seed).shuffle(shuffled)
    return shuffled
