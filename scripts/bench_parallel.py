#!/usr/bin/env python
"""Benchmark parallel and distributed runs (`make bench-parallel`; not part of `make test`).

1. The sandbox suite (params/sandbox.yaml) run sequentially and with `--workers 2`: wall time of
   each run, and per notebook the time inside the notebook vs its share of the wall time.
   Goal (issue 14): `--workers 2` wall time at most 0.7x sequential.
2. One HTTP load probe against a static nginx (the one `make bench` uses), run by 1 shard and by
   2 shards on a local Dask cluster: aggregate req/s, merged p50/p99, and the merged percentiles
   against those of one histogram holding every sample. Goal: identical percentiles.

It prints numbers; it fails only when a goal is missed (exit 1).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import ensure_tools, nginx_static

from workbook.probes import HttpTarget, merge_histograms, sharded_throughput_probe, throughput_probe

REPO = Path(__file__).resolve().parents[1]
WALL_RATIO_GOAL = 0.7
PERCENTILES = [50.0, 90.0, 99.0, 99.9]


def run_suite(params: str, workers: int, outputs: Path) -> tuple[float, dict[str, float], int]:
    started = time.monotonic()
    command = [sys.executable, "-m", "workbook", "run", "--params", params, "--outputs", str(outputs)]
    if workers > 1:
        command += ["--workers", str(workers)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=3600)
    wall = time.monotonic() - started
    manifest = json.loads(((outputs / "latest").resolve() / "manifest.json").read_text())
    return wall, {entry["name"]: entry["duration_s"] or 0.0 for entry in manifest["notebooks"]}, result.returncode


def suite(params: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as folder:
        sequential = run_suite(params, 1, Path(folder) / "seq")
        parallel = run_suite(params, 2, Path(folder) / "par")
    print(f"\n== sandbox suite ({params})")
    print(f"{'notebook':26} {'sequential s':>13} {'--workers 2 s':>14}")
    for name in sequential[1]:
        print(f"{name:26} {sequential[1][name]:13.1f} {parallel[1].get(name, 0.0):14.1f}")
    ratio = parallel[0] / sequential[0]
    print(f"{'wall time':26} {sequential[0]:13.1f} {parallel[0]:14.1f}   ratio {ratio:.2f} (goal <= {WALL_RATIO_GOAL})")
    print(f"exit codes: sequential {sequential[2]}, --workers 2 {parallel[2]}")
    inside = sum(sequential[1].values())
    print(f"sequential overhead outside notebooks: {sequential[0] - inside:.1f} s (sandbox start/stop, sealing)")
    return ratio <= WALL_RATIO_GOAL and sequential[2] == parallel[2]


def shards(duration_s: float, connections: int) -> bool:
    tools = ensure_tools()
    with nginx_static(tools["nginx"], None) as url:
        target = HttpTarget(name="nginx", method="GET", url=url)
        one = throughput_probe(target, concurrency=connections, duration_s=duration_s, max_requests=10_000_000)
        two = sharded_throughput_probe(
            target, shards=2, concurrency=connections, duration_s=duration_s, max_requests=10_000_000
        )
    assert two.histogram is not None
    together = merge_histograms([shard.histogram for shard in two.shards if shard.histogram is not None])
    merged = two.histogram.get_percentile_to_value_dict(PERCENTILES)
    direct = together.get_percentile_to_value_dict(PERCENTILES)
    print(f"\n== one probe, {connections} connections, {duration_s:g} s against nginx")
    for label, result in (("1 shard", one), ("2 shards", two)):
        bound = [i for i, shard in enumerate(result.shards) if shard.client_bound]
        print(
            f"{label:9} {result.throughput_rps:10,.0f} req/s  p50 {result.latency.ms('p50_s') or 0:.3f} ms  "
            f"p99 {result.latency.ms('p99_s') or 0:.3f} ms  client-bound {result.client_bound}"
            + (f" (shards {bound})" if bound else "")
        )
    print(f"merged percentiles (µs)     {merged}")
    print(f"all samples in one histogram {direct}")
    print("  " + "; ".join(two.selfcheck.notes))
    return merged == direct


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", default="params/sandbox.yaml")
    parser.add_argument("--duration-s", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--skip-suite", action="store_true")
    args = parser.parse_args()
    ok = shards(args.duration_s, args.connections)
    if not args.skip_suite:
        ok = suite(args.params) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
