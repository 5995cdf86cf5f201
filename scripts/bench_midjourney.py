#!/usr/bin/env python
"""Benchmark the Midjourney client against the sandbox emulator.

Prints, for N jobs: Discord REST calls per job (goal with the gateway: at most 3 per
imagine + upscale), detection latency of each final message (grid and upscale) measured from the
emulator's emit timestamp (`GET {admin}/emitted`, epoch seconds) to the moment the client's
watcher received it (goal with the gateway: under 200 ms), and the 429s suffered.

    .venv/bin/python scripts/bench_midjourney.py --jobs 12 --watch gateway
    .venv/bin/python scripts/bench_midjourney.py --jobs 12 --watch poll --poll-interval 0.25
    .venv/bin/python scripts/bench_midjourney.py --jobs 12 --faults '{"rate_limit_storm": {"count": 5}}'
    .venv/bin/python scripts/bench_midjourney.py --jobs 12 --identities 2   # a bot reads, the user interacts
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from workbook.connect import Auth, ServiceProfile
from workbook.midjourney import MidjourneyClient, RunConfig, RunReport, open_dialect, plan_jobs
from workbook.sandbox import Sandbox, set_faults

REST_GOAL_PER_JOB = 3.0
LATENCY_GOAL_MS = 200.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=12, help="number of /imagine jobs (default 12)")
    parser.add_argument("--concurrency", type=int, default=3, help="jobs in flight (default 3, Midjourney's limit)")
    parser.add_argument("--watch", choices=["gateway", "poll"], default="gateway")
    parser.add_argument("--poll-interval", type=float, default=0.25, help="seconds between polls (poll mode)")
    parser.add_argument("--time-scale", type=float, default=100.0, help="emulator speed-up (default 100)")
    parser.add_argument("--identical", type=int, default=3, help="how many jobs share one prompt (default 3)")
    parser.add_argument("--faults", default="", help="JSON fault switches for the emulator, set before the run")
    parser.add_argument("--identities", type=int, choices=[1, 2], default=1, help="2: a bot reads, the user interacts")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.jobs > 100:
        parser.error(f"--jobs must be 1..100, got {args.jobs}")
    return args


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run(out: dict[str, str], args: argparse.Namespace, folder: Path) -> tuple[RunReport, dict[str, float]]:
    config = RunConfig(
        guild_id=out["guild_id"],
        channel_id=out["channel_id"],
        application_id=out["application_id"],
        evidence_dir=folder,
        watch=args.watch,
        concurrency=args.concurrency,
        job_timeout_s=120.0,
        upscale_timeout_s=60.0,
        poll_interval_s=args.poll_interval,
        gateway_connect_timeout_s=5.0,
    )
    prompts = ["a lighthouse at dusk" if i < args.identical else f"benchmark prompt {i}" for i in range(args.jobs)]

    def profile(name: str, secret_env: str, prefix: str = "") -> ServiceProfile:
        auth = Auth(kind="header", name="Authorization", secret_env=secret_env, prefix=prefix)
        return ServiceProfile(name=name, url=out["api_url"], ws_url=out["gateway_url"], auth=auth)

    user = profile("discord", "SANDBOX_DISCORD_TOKEN")
    bot = profile("discord_bot", "SANDBOX_DISCORD_BOT_TOKEN", "Bot ") if args.identities == 2 else None
    client = MidjourneyClient(config, open_dialect("", user, bot))
    try:
        report = await client.run(plan_jobs(prompts, [(i % 4) + 1 for i in range(len(prompts))]))
    finally:
        await client.aclose()
    return report, dict(client.first_seen)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    with Sandbox(["discord"], time_scale=args.time_scale) as sandbox, tempfile.TemporaryDirectory() as tmp:
        out = dict(sandbox.outputs["discord"])
        if args.faults:
            set_faults(out["admin_url"], json.loads(args.faults))
        report, first_seen = asyncio.run(run(out, args, Path(tmp)))
        emitted = httpx.get(out["admin_url"] + "/emitted", params={"after_seq": 0}, timeout=10).json()["emitted"]
        stats: dict[str, Any] = httpx.get(out["admin_url"] + "/stats", timeout=10).json()

    emitted_at = {str(e["message_id"]): float(e["emitted_at"]) for e in emitted if e.get("kind") in ("grid", "upscale")}
    latencies: dict[str, list[float]] = {"grid": [], "upscale": []}
    for job in report.jobs:
        for kind, message_id in (("grid", job.grid_message_id), ("upscale", job.upscale_message_id)):
            if message_id and message_id in emitted_at and message_id in first_seen:
                latencies[kind].append((first_seen[message_id] - emitted_at[message_id]) * 1000.0)

    n = len(report.jobs)
    interactions = report.rest_calls.get("POST /interactions", 0)
    polls = sum(v for k, v in report.rest_calls.items() if k.endswith("/messages"))
    setup = report.rest_calls_total - interactions - polls
    per_job = report.rest_calls_per_job()
    print(
        f"Midjourney client benchmark: {n} jobs, {args.identities} identit{'y' if args.identities == 1 else 'ies'}, "
        f"watch={args.watch}, concurrency={args.concurrency}, "
        f"time scale {args.time_scale:g}, {args.identical} identical prompts, faults={args.faults or 'none'}"
    )
    print(
        f"  jobs stored                      {len(report.succeeded)}/{n}"
        + ("" if len(report.succeeded) == n else f"  failed: {report.summary()['failed']}")
    )
    print(f"  wall time                        {report.elapsed_s:.2f} s")
    print(
        f"  REST calls total (client count)  {report.rest_calls_total}"
        f"  (emulator counted {stats.get('rest_calls_total')})"
    )
    print(f"    setup (users/@me, index)       {setup}")
    print(f"    POST /interactions             {interactions}")
    print(f"    GET channel messages (polls)   {polls}")
    gateway_only = args.watch == "gateway" and polls == 0
    verdict = ("MET" if per_job <= REST_GOAL_PER_JOB else "MISSED") if gateway_only else "n/a (polling was used)"
    print(
        f"  REST calls per job (all)         {per_job:.2f}   goal <= {REST_GOAL_PER_JOB:g} with the gateway: {verdict}"
    )
    print(f"  REST calls per job (excl. setup) {(report.rest_calls_total - setup) / n:.2f}")
    print(f"  attachment downloads (CDN)       {report.downloads}")
    print(
        f"  429s suffered                    {report.rate_limited}  (emulator sent {stats.get('rate_limited_total')}), "
        f"retries {report.retries}, invalid requests {report.invalid_requests}"
    )
    for kind, values in latencies.items():
        if not values:
            print(f"  {kind} detection latency        no samples")
            continue
        p50, p95, worst = statistics.median(values), percentile(values, 0.95), max(values)
        print(
            f"  {kind:7} detection latency        n={len(values)} p50 {p50:.1f} ms  p95 {p95:.1f} ms  "
            f"max {worst:.1f} ms   goal < {LATENCY_GOAL_MS:g} ms (gateway): "
            f"{('MET' if worst < LATENCY_GOAL_MS else 'MISSED') if gateway_only else 'n/a (polling was used)'}"
        )
    print(f"  gateway                          {report.gateway}")
    print(f"  match keys                       {report.match_keys}")
    return 0 if len(report.succeeded) == n else 1


if __name__ == "__main__":
    raise SystemExit(main())
