"""The committed evaluation set, a user's set with mistakes, and the embedder's cache and labels."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbook import SandboxError, UsageError
from workbook.embeddings import load_eval_set
from workbook.sandbox.brain import _embeddings as emb


def test_our_set_meets_the_issue() -> None:
    eval_set = load_eval_set()
    assert len(eval_set.documents) >= 60 and len(eval_set.queries) >= 30
    assert len(eval_set.groups) >= 10 and all(len(ids) >= 5 for ids in eval_set.groups.values())
    assert eval_set.top_grade == 2 and "owned by the project" in eval_set.license
    for query in eval_set.queries:
        assert sorted(set(query.relevance.values())) == [1, 2]


def test_a_users_set_with_mistakes_names_each(tmp_path: Path) -> None:
    bad = {
        "name": "mine",
        "license": "mine",
        "documents": [
            {"id": "a", "group": "g", "name": "A", "description": "x"},
            {"id": "a", "group": "g", "name": "B", "description": "y"},
        ],
        "queries": [{"id": "q", "text": "t", "relevance": {"zz": 1}}],
    }
    path = tmp_path / "set.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(UsageError) as raised:
        load_eval_set(path)
    assert "document ids repeat" in str(raised.value) and "unknown document(s) ['zz']" in str(raised.value)
    with pytest.raises(UsageError, match="no such file"):
        load_eval_set(tmp_path / "missing.json")


def test_model_load_is_cached_and_an_unsafe_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(emb.CACHE_ENV, str(tmp_path / "cache"))
    first = emb.USEEmbedder()
    second = emb.USEEmbedder()
    assert (first.from_cache, second.from_cache) == (False, True)
    text = ["an elf archer guarding the forest"]
    assert (first.embed(text) == second.embed(text)).all()
    cached = next((tmp_path / "cache").glob("*.pickle"))
    os.chmod(cached, 0o666)  # writable by others: never unpickled
    assert emb.USEEmbedder().from_cache is False


def test_choices_and_the_fault_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    class Switches:
        def __init__(self, on: bool) -> None:
            self.value = on

        def on(self, name: str) -> bool:
            return self.value and name == emb.FAULT_SWITCH

    assert isinstance(emb.load_embedder("hashing"), emb.HashingEmbedder)
    with pytest.raises(SandboxError, match="'semantic'"):
        emb.load_embedder("semantic")
    switches = Switches(False)
    wrapped = emb.load_embedder("hashing", faults=switches)
    normal = wrapped.embed(["lighthouse keeper"])
    switches.value = True
    broken = wrapped.embed(["lighthouse keeper"])
    assert wrapped.label["kind"] == "deterministic-fallback"  # the defect is silent
    assert float(normal[0] @ broken[0]) < 0.5
    assert (emb.embed_queries(wrapped, ["lighthouse keeper"]) == broken).all()
