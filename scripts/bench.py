#!/usr/bin/env python
"""Benchmark the HTTP probe engine against wrk and hey on a local static nginx (`make bench`).

Not part of `make test`: it takes about a minute, installs Debian packages if missing
(`apt-get install -y nginx wrk hey`, after one `apt-get update`), and its figures depend on the
machine. One run, side by side, all against the same nginx on a free 127.0.0.1 port:

1. transport choice: our closed-loop probe over httptools (default), aiohttp and httpx;
2. throughput: `wrk -c N` vs our throughput probe at the same N;
3. latency at a fixed rate: `hey -c 1 -q 200` vs our latency probe at 200 req/s (service time);
4. the client-bound flag: our latency probe asked for far more than the probe can send.

Goals (issue 5): throughput probe >= 9,000 req/s; at 200 req/s our service-time p50 within
2.5x of hey's; the client-bound flag fires past our ceiling. Exit status 1 if a goal is missed.

nginx is pinned to CPU 0 and every client (wrk, hey, our probe) to CPU 1 when the machine has
two or more CPUs, so each client has exactly one core, as in shared/reference/perf-probes.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from workbook.probes import DEFAULT_TRANSPORT, HttpTarget, ProbeResult, latency_probe, throughput_probe

TOOLS = {"nginx": "nginx", "wrk": "wrk", "hey": "hey"}  # binary -> Debian package
THROUGHPUT_GOAL_RPS = 9_000
HEY_P50_RATIO_GOAL = 2.5
TOOL_TIMEOUT_S = 120

NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            default_type application/json;
            return 200 '{{"status":"ok"}}';
        }}
    }}
}}
"""


def ensure_tools() -> dict[str, str]:
    """Path of each tool; installs the missing ones from Debian (apt-get update once)."""
    missing = [binary for binary in TOOLS if not _which(binary)]
    if missing:
        if os.geteuid() != 0:
            sys.exit(f"missing {missing}; install them: apt-get install -y {' '.join(TOOLS[m] for m in missing)}")
        print(f"installing {missing} from Debian packages", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=600)
        packages = [TOOLS[binary] for binary in missing]
        policy = subprocess.run(["apt-cache", "policy", *packages], capture_output=True, text=True, check=True)
        for package in packages:
            if not re.search(
                rf"^{re.escape(package)}:\n\s+Installed: .*\n\s+Candidate: (?!\(none\))", policy.stdout, re.M
            ):
                sys.exit(f"Debian package {package!r} has no install candidate:\n{policy.stdout}")
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, timeout=900)
    paths = {binary: _which(binary) for binary in TOOLS}
    still = [binary for binary, path in paths.items() if not path]
    if still:
        sys.exit(f"{still} still missing after apt-get install")
    return {binary: str(path) for binary, path in paths.items()}


def _which(binary: str) -> str | None:
    return shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/bin:/sbin:/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pin(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []


@contextlib.contextmanager
def nginx_static(nginx: str, cpu: int | None) -> Iterator[str]:
    """nginx in the foreground (`daemon off`) with a temp config; stopped and waited for at exit."""
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as folder:
        port = free_port()
        conf = Path(folder) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=folder, port=port))
        process = subprocess.Popen(
            [*_pin(cpu), nginx, "-c", str(conf), "-p", folder, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"nginx did not start on 127.0.0.1:{port}: {error}")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}/health"
        finally:
            # SIGQUIT = graceful stop of master and workers; the group kill is a backstop.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGQUIT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            if process.stderr:
                process.stderr.close()


def _run_tool(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=True)
    return done.stdout


def _duration_s(value: str) -> float:
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip()).groups()  # type: ignore[union-attr]
    return float(number) * units[unit]


def run_wrk(wrk: str, url: str, connections: int, duration_s: int, cpu: int | None) -> dict[str, float]:
    out = _run_tool([*_pin(cpu), wrk, "-t1", f"-c{connections}", f"-d{duration_s}s", "--latency", url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _duration_s(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _duration_s(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50_s": p50, "p99_s": p99}


def run_hey(hey: str, url: str, rate: int, duration_s: int, cpu: int | None) -> dict[str, float]:
    out = _run_tool([*_pin(cpu), hey, "-z", f"{duration_s}s", "-c", "1", "-q", str(rate), url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = float(re.search(r"50% in ([\d.]+) secs", out).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"99% in ([\d.]+) secs", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50_s": p50, "p99_s": p99}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1e3:.3f}"


def _ours(result: ProbeResult) -> str:
    bound = "CLIENT-BOUND" if result.client_bound else "not client-bound"
    return (
        f"{result.throughput_rps:>10,.0f} req/s  p50 {_ms(result.latency.p50_s)} ms  p99 {_ms(result.latency.p99_s)} ms"
        f"  cpu {result.selfcheck.cpu_fraction:.0%}  loop-lag p99 {_ms(result.selfcheck.loop_lag.p99_s)} ms  {bound}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--concurrency", type=int, default=50, help="connections for wrk and our throughput probe")
    parser.add_argument("--rate", type=int, default=200, help="arrival rate for hey and our latency probe")
    args = parser.parse_args()

    tools = ensure_tools()
    cpus = sorted(os.sched_getaffinity(0))
    server_cpu, client_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    if client_cpu is not None:
        # Threads started from here on (the probes' event-loop threads) inherit this.
        os.sched_setaffinity(0, {client_cpu})
    print(f"load average before: {os.getloadavg()}; nginx on CPU {server_cpu}, clients on CPU {client_cpu}")
    d, n, rate = args.duration, args.concurrency, args.rate
    cap = 10_000_000  # the duration is the binding bound in this benchmark; the cap is a backstop

    with nginx_static(tools["nginx"], server_cpu) as url:
        target = HttpTarget("nginx-static", url)
        print(f"target: {url} (nginx static 200, 15-byte JSON)\n")

        print(f"1. transport choice, closed loop, {n} connections, {min(d, 5)} s each")
        by_transport = {}
        for name in ("httptools", "aiohttp", "httpx"):
            result = throughput_probe(
                target, concurrency=n, duration_s=min(d, 5), max_requests=cap, warmup_s=1.0, transport=name
            )
            by_transport[name] = result
            print(f"   {name:<8} {_ours(result)}  max {_ms(result.latency.max_s)} ms")
        best = max(by_transport, key=lambda name: by_transport[name].throughput_rps)
        versus = ", ".join(
            f"{by_transport[best].throughput_rps / max(r.throughput_rps, 1e-9):.1f}x {name}"
            for name, r in by_transport.items()
            if name != best
        )
        print(f"   fastest: {best} ({versus}); the probes' default transport is {DEFAULT_TRANSPORT}\n")

        print(f"2. throughput, {n} connections, {d} s")
        wrk = run_wrk(tools["wrk"], url, n, d, client_cpu)
        print(f"   wrk      {wrk['rps']:>10,.0f} req/s  p50 {_ms(wrk['p50_s'])} ms  p99 {_ms(wrk['p99_s'])} ms")
        ours_tp = throughput_probe(target, concurrency=n, duration_s=d, max_requests=cap, warmup_s=1.0)
        print(f"   ours     {_ours(ours_tp)}")
        print(f"   ours / wrk: {ours_tp.throughput_rps / wrk['rps']:.1%}\n")

        print(f"3. latency at {rate} req/s, {d} s")
        hey = run_hey(tools["hey"], url, rate, d, client_cpu)
        print(
            f"   hey -c 1 -q {rate}   {hey['rps']:>8,.0f} req/s  p50 {_ms(hey['p50_s'])} ms  p99 {_ms(hey['p99_s'])} ms"
        )
        ours_lat = latency_probe(target, rate_rps=rate, duration_s=d, max_requests=cap, warmup_s=1.0)
        send_lag = ours_lat.send_lag
        print(
            f"   ours open loop  {ours_lat.throughput_rps:>8,.0f} req/s  service p50 {_ms(ours_lat.service.p50_s)} ms"
            f"  p99 {_ms(ours_lat.service.p99_s)} ms | from schedule p50 {_ms(ours_lat.latency.p50_s)} ms"
            f"  p99 {_ms(ours_lat.latency.p99_s)} ms | send lag p99 {_ms(send_lag.p99_s if send_lag else None)} ms"
            f"  late {ours_lat.late_sends} dropped {ours_lat.dropped_sends}"
            f"  {'CLIENT-BOUND' if ours_lat.client_bound else 'not client-bound'}"
        )
        p50_ratio = (ours_lat.service.p50_s or 0) / hey["p50_s"]
        print(f"   ours service p50 / hey p50: {p50_ratio:.2f}x (hey reports 0.1 ms resolution)\n")

        overload = max(int(ours_tp.throughput_rps * 3), 20_000)
        print(f"4. past our ceiling: latency probe asked for {overload:,} req/s for 3 s")
        past = latency_probe(target, rate_rps=overload, duration_s=3, max_requests=cap, max_lateness_s=1.0)
        print(
            f"   sent {past.sent:,} of {past.scheduled:,} scheduled ({past.dropped_sends:,} dropped), "
            f"{'CLIENT-BOUND' if past.client_bound else 'not client-bound'}: {'; '.join(past.selfcheck.reasons)}\n"
        )

    goals = [
        (
            f"throughput probe >= {THROUGHPUT_GOAL_RPS:,} req/s on nginx static",
            ours_tp.throughput_rps >= THROUGHPUT_GOAL_RPS,
            f"{ours_tp.throughput_rps:,.0f} req/s",
        ),
        (
            f"service-time p50 at {rate} req/s within {HEY_P50_RATIO_GOAL}x of hey",
            p50_ratio <= HEY_P50_RATIO_GOAL,
            f"{p50_ratio:.2f}x",
        ),
        ("latency probe at 200 req/s not client-bound", not ours_lat.client_bound, str(ours_lat.selfcheck.reasons)),
        ("client-bound flag fires past our ceiling", past.client_bound, f"{overload:,} req/s asked"),
    ]
    print(f"load average after: {os.getloadavg()}")
    print("goals:")
    for text, met, value in goals:
        print(f"   {'MET   ' if met else 'MISSED'} {text}: {value}")
    return 0 if all(met for _, met, _ in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
