"""Checks of the platform's job: one task's life, the result's integrity, isolation between
packages of the same name, concurrency, the temp and work folders, failures and upstream retries,
and staying within the creation limit."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..checks import CheckContext
from ..runtime import run_sync
from ._client import Follow
from ._package import result_problems
from ._run import TaskPipelineRun
from ._stream import phases, stream_facts, stream_problems

TIMING_SLACK = 0.8
LARGE_SET = 3  # the sandbox index's requirement set with a transitive closure of five wheels


def follow_problems(run: TaskPipelineRun, follow: Follow) -> list[str]:
    return stream_problems(run.dialect, follow, timeout_s=run.settings.task_timeout_s, grace_s=run.settings.ws_grace_s)


def package_problems(run: TaskPipelineRun, follow: Follow, label: str = "") -> list[str]:
    """The downloaded result against the original package (fetched by us)."""
    prefix = f"{label}: " if label else ""
    if follow.final_state != "completed":
        error = run.dialect.field(follow.final, "error") or ""
        return [f"{prefix}task {follow.task_id} ended {follow.final_state}: {str(error)[:200]}"]
    download = run.client.download(follow.task_id)
    if download.status != 200:
        return [f"{prefix}the result of task {follow.task_id} answered {download.status}"]
    problems, _ = result_problems(download.content, run.original(follow.package_url))
    return [prefix + problem for problem in problems]


def check_lifecycle(c: CheckContext, run: TaskPipelineRun) -> None:
    url = run.package_url("lifecycle", 0)
    created = run.client.create(url)
    c.measure(create_status=created.status_code, created=str(created.body)[:200])
    if not created.task_id:
        c.fail(f"creating a task answered {created.status_code}: {str(created.body)[:200]}")
    c.expect(
        run.dialect.state(created.body) == "pending",
        f"a new task's answer says {run.dialect.field(created.body, 'status')!r}, expected the pending word",
    )
    early = run.client.download(created.task_id)
    follow = run_sync(
        run.client.follow(created.task_id, url, timeout_s=run.settings.task_timeout_s, grace_s=run.settings.ws_grace_s),
        timeout_s=run.settings.task_timeout_s + 30,
        what="lifecycle task",
    )
    run.observations.append(("lifecycle", follow))
    c.measure(task_id=follow.task_id, early_download=early.status, **stream_facts(run.dialect, follow))
    c.measure(**phases(run.dialect, follow))
    c.expect(
        early.status in run.dialect.not_ready_statuses or (follow.final_state == "completed" and early.status == 200),
        f"the result route answered {early.status} before the task completed, expected "
        f"{run.dialect.not_ready_statuses}",
    )
    c.expect_none(follow_problems(run, follow))
    c.expect(follow.final_state == "completed", f"task ended {follow.final_state}: {follow.final}")
    if follow.final_state == "completed":
        done = run.client.download(follow.task_id)
        c.expect(done.status == 200, f"the result of a completed task answered {done.status}")
        c.expect(done.content_type.startswith("application/octet-stream"), f"result content type {done.content_type!r}")
        c.measure(result_bytes=len(done.content), download_s=round(done.seconds, 3))
    unknown = "00000000-0000-4000-8000-000000000000"
    status = run.dialect.status(run.client.http, unknown).status_code
    refused = run_sync(_handshake(run, unknown), timeout_s=30, what="unknown task's WebSocket")
    c.measure(unknown_status=status, unknown_ws=refused)
    c.expect(status == 404, f"the status of an unknown task answered {status}, expected 404")
    c.expect(refused != "101", "the WebSocket of an unknown task was accepted")


async def _handshake(run: TaskPipelineRun, task_id: str) -> str:
    follow = Follow(task_id, "", 0.0)
    await run.client.watch(follow, None)
    return follow.handshake or follow.ws_error


def check_result_integrity(c: CheckContext, run: TaskPipelineRun) -> None:
    url = run.package_url("integrity", LARGE_SET)
    (follow,) = run.run_tasks("integrity", [url])
    c.expect_none(follow_problems(run, follow))
    if follow.final_state != "completed":
        c.fail(f"task ended {follow.final_state}: {run.dialect.field(follow.final, 'error')}")
    first, second = run.client.download(follow.task_id), run.client.download(follow.task_id)
    original = run.original(url)
    problems, measured = result_problems(first.content, original)
    digests = [hashlib.sha256(item.content).hexdigest() for item in (first, second)]
    c.measure(original_bytes=len(original), result_bytes=len(first.content), sha256=digests[0], **measured)
    c.expect_none(problems)
    c.expect(digests[0] == digests[1], f"two downloads of one result differ: {digests[0][:12]}… vs {digests[1][:12]}…")


def check_isolation(c: CheckContext, run: TaskPipelineRun) -> None:
    name = f"iso{run.run_id}"  # one file name, different packages
    sequential = [run.package_url("iso-a", 0, name=name), run.package_url("iso-b", LARGE_SET, name=name)]
    together = [run.package_url("iso-c", 1, name=name), run.package_url("iso-d", 4, name=name)]
    observed = [*run.run_tasks("isolation: one after the other", sequential[:1])]
    observed += run.run_tasks("isolation: one after the other", sequential[1:])
    observed += run.run_tasks("isolation: at once", together)
    labels = ["one after the other (first)", "one after the other (second)", "at once", "at once"]
    for label, follow in zip(labels, observed, strict=True):
        c.expect_none(package_problems(run, follow, f"{label}, {follow.package_url.rsplit('/', 2)[-2]}"))
    c.measure(package_name=f"{name}.difypkg", tasks=[follow.task_id for follow in observed])


def check_concurrency(c: CheckContext, run: TaskPipelineRun) -> None:
    count = run.settings.concurrent_tasks
    urls = [run.package_url("concurrency", index) for index in range(count)]
    observed = run.run_tasks("concurrency", urls)
    totals = [phases(run.dialect, follow).get("total_s", float("nan")) for follow in observed]
    c.measure(tasks=count, total_s=totals)
    if run.settings.upstream_admin_url:  # counted before we fetch the originals ourselves
        for follow in observed:
            served = [e for e in run.upstream_requests(follow.package_url) if e.get("status") == 200]
            c.expect(len(served) == 1, f"the download source served {follow.package_url} {len(served)} times, not once")
    for follow in observed:
        c.expect_none(package_problems(run, follow))


def check_retention(c: CheckContext, run: TaskPipelineRun) -> None:
    if not (run.settings.temp_dir and run.settings.scripts_dir):
        c.skip("temp_dir and scripts_dir are not visible from here")
    done = [(label, f) for label, f in run.observations if f.final_state == "completed"]
    if not done:
        c.skip("no completed task to look at yet")
    temp, scripts = Path(run.settings.temp_dir), Path(run.settings.scripts_dir)
    kept, left = [], []
    for _, follow in done:
        folder = temp / follow.task_id
        output = run.dialect.field(follow.final, "output")
        if not (folder / str(output)).is_file():
            kept.append(f"{folder.name}/{output}")
        name = follow.package_url.rsplit("/", 1)[-1].removesuffix(".difypkg")
        if (scripts / name).exists():
            left.append(name)
    stray = sorted(path.name for path in scripts.glob("*.difypkg")) if scripts.exists() else []
    c.measure(tasks=len(done), work_folders_left=sorted(set(left))[:10], stray_outputs=stray[:10])
    c.expect(not kept, f"completed tasks' results are gone from TEMP_DIR before the 7-day retention: {kept[:3]}")
    c.expect(not left, f"work folders SCRIPTS_DIR/<name>/ left behind by finished tasks: {sorted(set(left))[:5]}")
    c.expect(not stray, f"re-packed outputs left in SCRIPTS_DIR: {stray[:5]}")


def check_permanent_failure(c: CheckContext, run: TaskPipelineRun) -> None:
    url = run.package_url("permanent", name=f"missing-{run.run_id}")  # the source answers 404
    (follow,) = run.run_tasks("permanent failure", [url])
    error = str(run.dialect.field(follow.final, "error") or "")
    c.measure(task_id=follow.task_id, status=run.dialect.field(follow.final, "status"), error=error[:200])
    c.expect_none(follow_problems(run, follow))
    c.expect(follow.final_state == "failed", f"a package that does not exist left the task {follow.final_state}")
    c.expect("404" in error, f"the task's error does not name the download's 404: {error[:200]!r}")
    status = run.client.download(follow.task_id).status
    c.expect(status in run.dialect.not_ready_statuses, f"a failed task's result answered {status}")


def _gaps(requests: list[dict[str, Any]]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(float(entry["time"]) for entry in requests)]


Judge = Callable[[TaskPipelineRun, Follow, list[dict[str, Any]]], list[str]]


def check_upstream_retry(c: CheckContext, run: TaskPipelineRun) -> None:
    if not run.settings.upstream_admin_url:
        c.skip("no upstream_admin_url: the download source's answers cannot be switched (sandbox only)")
    scenarios: list[tuple[str, dict[str, Any], Judge]] = [
        ("500 then 503", {"status_500": 1, "status_503": 1}, _after_5xx),
        ("429 with Retry-After", {"status_429": 1, "retry_after_s": 1}, _after_429),
        ("timeout", {"timeout": 1, "hang_s": run.settings.upstream_hang_s}, _after_timeout),
        ("503 for good", {"status_503": 20}, _after_persistent_503),
    ]
    summary: dict[str, Any] = {}
    for label, switches, judge in scenarios:
        url = run.package_url("upstream")
        with run.upstream_answers(switches):
            (follow,) = run.run_tasks(f"upstream {label}", [url])
        requests = run.upstream_requests(url)
        summary[label] = {
            "status": run.dialect.field(follow.final, "status"),
            "gets": [entry.get("status") for entry in requests],
            "gaps_s": [round(gap, 3) for gap in _gaps(requests)],
        }
        c.expect_none(f"{label}: {problem}" for problem in judge(run, follow, requests))
    c.measure(**summary)


def _ended(run: TaskPipelineRun, follow: Follow) -> str:
    return f"{follow.final_state} ({str(run.dialect.field(follow.final, 'error') or '')[:160]})"


def _after_5xx(run: TaskPipelineRun, follow: Follow, requests: list[dict[str, Any]]) -> list[str]:
    statuses = [entry.get("status") for entry in requests]
    if follow.final_state != "completed":
        return [f"an upstream 5xx was not retried: the task {_ended(run, follow)} after GETs {statuses}"]
    problems = []
    for index, gap in enumerate(_gaps(requests)):
        wanted = run.settings.retry_backoff_s[min(index, len(run.settings.retry_backoff_s) - 1)]
        if gap < wanted * TIMING_SLACK:
            problems.append(f"retry {index + 1} came {gap:.3f} s after the 5xx, the policy waits {wanted:g} s")
    return problems


def _after_429(run: TaskPipelineRun, follow: Follow, requests: list[dict[str, Any]]) -> list[str]:
    limited = [entry for entry in requests if entry.get("status") == 429]
    if not limited:
        return ["the download source never answered 429"]
    if follow.final_state != "completed":
        return [f"an upstream 429 was never retried: the task {_ended(run, follow)} after {len(requests)} GET(s)"]
    wanted = float(limited[0].get("retry_after_s", 1))
    gap = _gaps(requests)[0] if len(requests) > 1 else 0.0
    return [] if gap >= wanted * 0.95 else [f"retried {gap:.3f} s after a 429 with Retry-After: {wanted:g}"]


def _after_timeout(run: TaskPipelineRun, follow: Follow, requests: list[dict[str, Any]]) -> list[str]:
    if follow.final_state != "completed":
        return [f"a hung download was not retried: the task {_ended(run, follow)}"]
    return [] if len(requests) >= 2 else [f"the hung request was not retried ({len(requests)} GET)"]


def _after_persistent_503(run: TaskPipelineRun, follow: Follow, requests: list[dict[str, Any]]) -> list[str]:
    problems = []
    if follow.final_state != "failed":
        problems.append(f"a source that never recovers left the task {follow.final_state}, expected failed")
    if "503" not in str(run.dialect.field(follow.final, "error") or ""):
        problems.append("the task's error does not name the 503")
    if not 2 <= len(requests) <= 5:
        problems.append(f"{len(requests)} GET(s) before giving up: expected a bounded retry (2..5)")
    return problems


def check_creation_pacing(c: CheckContext, run: TaskPipelineRun) -> None:
    summary = run.client.pacer.summary()
    c.measure(**summary, rejections=run.client.pacer.rejected[:10])
    c.expect(
        summary["rate_limited_within_limit"] == 0,
        f"the platform answered 429 to {summary['rate_limited_within_limit']} creation(s) made within its stated "
        f"limit of {summary['limit']}",
    )
    if summary["rate_limited"]:
        c.note(f"{summary['rate_limited']} creation(s) answered 429 and were retried after Retry-After")
