"""What a run produced: per-job results, counters, and the verifications the notebook checks."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..credentials import redact, seen_secrets
from ._correlate import Correlator
from ._jobstate import JobState, Phase
from ._parse import interaction_id_of, reference_id_of, snowflake_time, upscale_index_in
from ._storage import StoredImage, StoredJob

if TYPE_CHECKING:
    from ._rest import DiscordRest
    from ._watch import Watcher


@dataclass(frozen=True)
class JobResult:
    key: str
    prompt: str
    upscale_index: int
    status: str  # "stored" or "failed"
    failure_kind: str | None
    failure: str | None
    nonce: str | None
    interaction_id: str | None
    job_hash: str | None
    mode: str | None
    prompt_echoed: str | None
    progress_message_id: str | None
    queued_message_id: str | None
    grid_message_id: str | None
    grid_hash: str | None  # read from the grid's own buttons/attachment
    grid_match: str | None
    upscale_nonce: str | None
    upscale_message_id: str | None
    upscale_reference: str | None
    upscale_index_echoed: int | None
    upscale_match: str | None
    submitted_at: float | None
    grid_received_at: float | None
    upscale_received_at: float | None
    grid: StoredImage | None
    upscale: StoredImage | None
    metadata_file: str | None
    ambiguous: tuple[str, ...] = ()
    # Evidence the job recorded before its grid was assigned (never derived from the grid).
    start_match: str | None = None  # how its first reply was found (nonce, interaction_id, prompt)
    preview_hash: str | None = None  # the hash its own progress messages showed
    interaction_source: str | None = None  # how its interaction id was learned
    # Facts read from the grid message itself.
    grid_reference: str | None = None  # the message the grid replies to
    grid_interaction_id: str | None = None
    upscale_presses: int = 0
    notices: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "stored"

    def message_ids(self) -> list[str]:
        ids = [
            self.progress_message_id,
            self.queued_message_id,
            self.grid_message_id,
            self.upscale_message_id,
        ]
        return [i for i in ids if i]


@dataclass
class RunReport:
    jobs: list[JobResult]
    rest_calls: dict[str, int]
    downloads: int
    rate_limited: int
    invalid_requests: int
    retries: int
    status_counts: dict[int, int]
    watch: str
    watch_log: list[tuple[float, str]]
    gateway: dict[str, Any]
    polls: int
    ignored_old_messages: int
    unmatched_messages: list[str]
    match_keys: dict[str, int]
    started_at: float
    elapsed_s: float
    foreign_ignored: int = 0
    stop_reason: str | None = None
    stop_kind: str | None = None  # bad_token, stale_command_version, invalid_request_budget, ...
    unknown_notices: list[str] = field(default_factory=list)

    @property
    def rest_calls_total(self) -> int:
        return sum(self.rest_calls.values())

    @property
    def succeeded(self) -> list[JobResult]:
        return [job for job in self.jobs if job.ok]

    def rest_calls_per_job(self) -> float:
        return self.rest_calls_total / max(len(self.jobs), 1)

    # -- verifications (each returns the problems found; empty means verified) --

    def ownership_problems(self) -> list[str]:
        """Each stored job has its own grid and its own upscale, judged by evidence recorded before
        and independently of the assignment: the grid must agree with the job's own preview hash,
        reply to the job's own waiting message, carry the interaction id Discord reported for the
        job's nonce — at least one of these, and contradict none; no two jobs share a grid; the
        upscale replies to that grid and shows the requested image number."""
        problems: list[str] = []
        seen_hash: dict[str, str] = {}
        for job in self.succeeded:
            problems += _grid_evidence_problems(job)
            if job.grid_hash and job.grid_hash in seen_hash:
                problems.append(f"{job.key}: job hash {job.grid_hash} also used by {seen_hash[job.grid_hash]}")
            elif job.grid_hash:
                seen_hash[job.grid_hash] = job.key
            if job.upscale_reference != job.grid_message_id:
                problems.append(
                    f"{job.key}: upscale {job.upscale_message_id} replies to {job.upscale_reference}, "
                    f"not to its grid {job.grid_message_id}"
                )
            if job.upscale_index_echoed is not None and job.upscale_index_echoed != job.upscale_index:
                problems.append(f"{job.key}: asked for U{job.upscale_index}, got Image #{job.upscale_index_echoed}")
        return problems

    def duplicate_message_ids(self) -> list[str]:
        owner: dict[str, str] = {}
        problems: list[str] = []
        for job in self.jobs:
            for message_id in job.message_ids():
                if message_id in owner and owner[message_id] != job.key:
                    problems.append(f"message {message_id} assigned to {owner[message_id]} and {job.key}")
                owner.setdefault(message_id, job.key)
        return problems

    def older_than_submission(self, skew_s: float = 2.0) -> list[str]:
        problems: list[str] = []
        for job in self.jobs:
            if job.submitted_at is None:
                continue
            for message_id in job.message_ids():
                created = snowflake_time(message_id).timestamp()
                if created < job.submitted_at - skew_s:
                    problems.append(
                        f"{job.key}: message {message_id} created {job.submitted_at - created:.1f} s "
                        "before the job was submitted"
                    )
        return problems

    def image_problems(self) -> list[str]:
        """Stored images decoded; sizes match the attachment's declared size; an upscale is one grid cell."""
        problems: list[str] = []
        for job in self.succeeded:
            for name, image in (("grid", job.grid), ("upscale", job.upscale)):
                if image is None:
                    problems.append(f"{job.key}: no {name} image stored")
                elif (image.declared_width, image.declared_height) != (image.width, image.height):
                    problems.append(
                        f"{job.key}: {name} decodes as {image.width}x{image.height}, message declares "
                        f"{image.declared_width}x{image.declared_height}"
                    )
            if (
                job.grid
                and job.upscale
                and (job.grid.width, job.grid.height)
                != (
                    2 * job.upscale.width,
                    2 * job.upscale.height,
                )
            ):
                problems.append(
                    f"{job.key}: upscale {job.upscale.width}x{job.upscale.height} is not one cell of the "
                    f"{job.grid.width}x{job.grid.height} grid"
                )
        return problems

    def quadrant_differences(self) -> dict[str, float]:
        """Mean absolute pixel difference (0-255) between each upscale and cell N of its own grid
        (cells 1 2 / 3 4). A v5+ upscale is that cell, so a small value ties the upscale to its
        grid by content, independently of any message metadata."""
        from PIL import Image, ImageChops, ImageStat

        differences: dict[str, float] = {}
        for job in self.succeeded:
            if job.grid is None or job.upscale is None:
                continue
            with Image.open(job.grid.path) as grid, Image.open(job.upscale.path) as upscale:
                half_w, half_h = grid.width // 2, grid.height // 2
                col, row = (job.upscale_index - 1) % 2, (job.upscale_index - 1) // 2
                cell = grid.convert("RGB").crop((col * half_w, row * half_h, (col + 1) * half_w, (row + 1) * half_h))
                picture = upscale.convert("RGB")
                if cell.size != picture.size:
                    cell = cell.resize(picture.size)
                stat = ImageStat.Stat(ImageChops.difference(cell, picture))
                differences[job.key] = round(sum(stat.mean) / len(stat.mean), 2)
        return differences

    def rest_problems(self, max_calls_per_job: float) -> list[str]:
        """The run was not stopped by Discord errors, and with the gateway (no polling needed) the
        REST calls per job stayed within `max_calls_per_job`."""
        problems: list[str] = []
        if self.stop_reason:
            problems.append(f"run stopped: {self.stop_reason}")
        gateway_only = self.watch == "gateway" and self.polls == 0
        if gateway_only and self.rest_calls_per_job() > max_calls_per_job:
            problems.append(
                f"{self.rest_calls_per_job():.2f} REST calls per job with the gateway, "
                f"more than {max_calls_per_job:g} ({self.rest_calls})"
            )
        return problems

    def write_summary(self, folder: Path, extra_secrets: set[str] | None = None) -> Path:
        """`summary.json` in the evidence folder (secrets scrubbed)."""
        path = folder / "summary.json"
        text = json.dumps(self.summary(), indent=2, default=str)
        path.write_text(redact(text, seen_secrets() | (extra_secrets or set())), encoding="utf-8")
        return path

    def summary(self) -> dict[str, Any]:
        return {
            "jobs": len(self.jobs),
            "stored": len(self.succeeded),
            "failed": {j.key: j.failure for j in self.jobs if not j.ok},
            "rest_calls_total": self.rest_calls_total,
            "rest_calls_per_job": round(self.rest_calls_per_job(), 2),
            "rest_calls": self.rest_calls,
            "downloads": self.downloads,
            "rate_limited_429": self.rate_limited,
            "invalid_requests": self.invalid_requests,
            "retries": self.retries,
            "status_counts": {str(k): v for k, v in self.status_counts.items()},
            "watch": self.watch,
            "watch_log": [[datetime.fromtimestamp(t, tz=UTC).isoformat(), s] for t, s in self.watch_log],
            "gateway": self.gateway,
            "polls": self.polls,
            "ignored_old_messages": self.ignored_old_messages,
            "other_users_messages_ignored": self.foreign_ignored,
            "unmatched_messages": self.unmatched_messages,
            "match_keys": self.match_keys,
            "unknown_notices": self.unknown_notices,
            "elapsed_s": round(self.elapsed_s, 3),
            "stop_reason": self.stop_reason,
        }


def _grid_evidence_problems(job: JobResult) -> list[str]:
    grid = f"{job.key}: grid {job.grid_message_id}"
    if not job.grid_hash:
        return [f"{grid} carries no job hash"]
    # (evidence name, what the grid message says, what the job recorded before the match, contradiction)
    pairs = (
        (
            "preview hash",
            job.grid_hash,
            job.preview_hash,
            f"{grid} has hash {job.grid_hash}, but the job's own progress preview showed {job.preview_hash}",
        ),
        (
            "reply to its waiting message",
            job.grid_reference,
            job.progress_message_id,
            f"{grid} replies to message {job.grid_reference}, not to the job's own waiting message "
            f"{job.progress_message_id} (found by {job.start_match})",
        ),
        (
            "interaction id",
            job.grid_interaction_id,
            job.interaction_id,
            f"{grid} belongs to interaction {job.grid_interaction_id}, but the job's interaction is "
            f"{job.interaction_id} (from the {job.interaction_source})",
        ),
    )
    known = [(name, said, recorded, problem) for name, said, recorded, problem in pairs if said and recorded]
    problems = [problem for _, said, recorded, problem in known if said != recorded]
    if not known:
        problems.append(
            f"{grid} cannot be tied to the job by evidence recorded before the match (no preview hash, no "
            f"reply to its waiting message, no interaction id); it was matched by {job.grid_match}"
        )
    return problems


def job_result(job: JobState, stored: StoredJob) -> JobResult:
    """A finished job's result: its state, and facts read from its own grid and upscale messages."""
    upscale_text = str((job.upscale or {}).get("content") or "")
    return JobResult(
        key=job.key,
        prompt=job.prompt,
        upscale_index=job.upscale_index,
        status="stored" if job.phase is Phase.STORED else "failed",
        failure_kind=job.failure_kind,
        failure=job.failure,
        nonce=job.nonce,
        interaction_id=job.interaction_id,
        job_hash=job.job_hash,
        preview_hash=job.preview_hash,
        start_match=job.start_match,
        interaction_source=job.interaction_source,
        grid_reference=reference_id_of(job.grid) if job.grid else None,
        grid_interaction_id=interaction_id_of(job.grid) if job.grid else None,
        upscale_presses=job.upscale_presses,
        notices=tuple(job.notices),
        mode=job.mode,
        prompt_echoed=job.prompt_echoed,
        progress_message_id=job.progress_message_id,
        queued_message_id=job.queued_message_id,
        grid_message_id=job.grid_message_id,
        grid_hash=job.grid_hash,
        grid_match=job.grid_match,
        upscale_nonce=job.upscale_nonce,
        upscale_message_id=job.upscale_message_id,
        upscale_reference=reference_id_of(job.upscale) if job.upscale else None,
        upscale_index_echoed=upscale_index_in(upscale_text) if job.upscale else None,
        upscale_match=job.upscale_match,
        submitted_at=job.submitted_at,
        grid_received_at=job.grid_received_at,
        upscale_received_at=job.upscale_received_at,
        grid=stored.grid,
        upscale=stored.upscale,
        metadata_file=stored.metadata_file,
        ambiguous=tuple(job.ambiguous),
    )


def build_report(
    jobs: list[JobState],
    stored: dict[str, StoredJob],
    *,
    rests: list[DiscordRest],
    correlator: Correlator,
    watcher: Watcher | None,
    watch: str,
    started_at: float,
    stop_reason: str | None,
    stop_kind: str | None = None,
) -> RunReport:
    limiter = rests[0].limiter  # shared by every identity's client: one invalid-request budget
    calls: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    for index, rest in enumerate(rests):
        # With two identities the reader's calls are named apart: who called what is evidence.
        calls.update({(f"reader {route}" if index else route): n for route, n in rest.calls.items()})
        statuses.update(rest.status_counts)
    return RunReport(
        jobs=[job_result(job, stored.get(job.key, StoredJob())) for job in jobs],
        rest_calls=dict(calls),
        downloads=sum(rest.downloads for rest in rests),
        rate_limited=limiter.rate_limited_total,
        invalid_requests=limiter.invalid_total,
        retries=sum(rest.retries for rest in rests),
        status_counts=dict(statuses),
        watch=watch,
        watch_log=list(watcher.log) if watcher else [],
        gateway=watcher.gateway_stats() if watcher else {"used": False},
        polls=watcher.poller.polls if watcher else 0,
        ignored_old_messages=correlator.ignored_old,
        foreign_ignored=correlator.foreign_ignored,
        unmatched_messages=list(correlator.unmatched),
        match_keys=dict(correlator.match_keys),
        started_at=started_at,
        elapsed_s=time.time() - started_at,
        stop_reason=stop_reason,
        stop_kind=stop_kind if stop_reason else None,
        unknown_notices=list(correlator.unknown_notices),
    )
