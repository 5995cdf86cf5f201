"""The real embedding model (USE multilingual v3, a core dependency; see the brain package docs)."""

from __future__ import annotations

import numpy as np

from workbook.sandbox.brain._embeddings import load_embedder


def test_model_embedder_is_labelled_and_semantic() -> None:
    embedder = load_embedder("model")
    assert embedder.label["kind"] == "model" and embedder.label["semantic"] is True
    vectors = embedder.embed(["elf archer", "elven bowman", "cyberpunk hacker", "elf archer"])
    assert vectors.shape == (4, 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[3], rtol=1e-5, atol=1e-6)
    # Synonyms share no words; only a semantic model scores them above an unrelated text.
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
