"""No Redis, worker, pool or proxy process outlives the sandbox, also after a worker's pool
process was killed (and replaced) and Redis restarted (a new redis-server pid).

Named to run last in this folder: it stops the shared sandbox (stopping twice is safe).
"""

from __future__ import annotations

import os
import signal
import time

import httpx
import psutil

from wb_testing import live_pids
from workbook.sandbox import Sandbox


def test_every_process_of_the_sandbox_is_gone_after_stop(pipeline: Sandbox) -> None:
    outputs = pipeline.outputs
    # 4 supervisors, redis-server, 2 worker main processes and their pool processes
    assert len(pipeline.all_pids()) >= 4 + 1 + 2 * 2
    before = set(pipeline.all_pids())
    # A saved restart may take tens of seconds on a loaded machine (make test runs two workers).
    httpx.post(outputs["redis"]["admin_url"] + "/_sandbox/redis/restart", json={"down_s": 0.1}, timeout=90)
    children = psutil.Process(pipeline.pids["repackager"]).children(recursive=True)
    pool = [p for p in children if p.ppid() != pipeline.pids["repackager"]]  # grandchildren: pool processes
    os.kill(pool[0].pid, signal.SIGKILL)  # the worker replaces its pool process
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not set(pipeline.all_pids()) - before - {pool[0].pid}:
        time.sleep(0.2)
    during = set(pipeline.all_pids())
    assert during - before, "a restart and a kill should have produced new processes"
    pipeline.stop()
    assert live_pids(sorted(before | during)) == []
