"""Assigning the bot's messages to jobs, strongest key first.

Order (issue 4, reference notes §4): the first reply by `nonce`; progress edits by the progress
message id; the final grid by interaction id, then job hash (carried over from the progress
image), the upscale by reply reference; and only then by normalised prompt. A message id is
owned by at most one job, and a job only considers messages whose snowflake is newer than its
submission. Pure logic: events in, state changes out; the watcher and runner do the I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._parse import (
    Notice,
    classify_notice,
    echoed_prompt,
    footer_prompt,
    interaction_id_of,
    is_grid,
    job_hash,
    normalize_prompt,
    parse_progress,
    reference_id_of,
    sent_prompt_specificity,
    snowflake_at,
    upscale_index_in,
)

_MENTION = re.compile(r"<@!?(\d+)>")


class Phase(StrEnum):
    PLANNED = "planned"
    SUBMITTED = "submitted"
    QUEUED = "queued"
    RUNNING = "running"
    GRID = "grid"
    UPSCALING = "upscaling"
    UPSCALED = "upscaled"
    STORED = "stored"
    FAILED = "failed"


class Role(StrEnum):
    START = "start"  # "(Waiting to start)", later edited with progress
    QUEUED = "queued"  # "Job queued" notice
    NOTICE = "notice"  # error embed
    GRID = "grid"
    UPSCALE = "upscale"


@dataclass
class JobState:
    key: str
    prompt: str
    upscale_index: int
    norm: str = ""
    norm_full: str = ""
    phase: Phase = Phase.PLANNED
    nonce: str | None = None
    submitted_at: float | None = None
    min_id: int = 0
    interaction_id: str | None = None
    progress_message_id: str | None = None
    queued_message_id: str | None = None
    progress_deleted_at: float | None = None
    percent: int | None = None
    mode: str | None = None
    prompt_echoed: str | None = None
    job_hash: str | None = None
    started_at: float | None = None
    grid: dict[str, Any] | None = None
    grid_received_at: float | None = None
    grid_match: str | None = None
    upscale_nonce: str | None = None
    upscale_submitted_at: float | None = None
    upscale_interaction_id: str | None = None
    upscale: dict[str, Any] | None = None
    upscale_received_at: float | None = None
    upscale_match: str | None = None
    start_match: str | None = None
    failure_kind: str | None = None
    failure: str | None = None
    ambiguous: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.norm = normalize_prompt(self.prompt)
        self.norm_full = normalize_prompt(self.prompt, strip_settings=False)

    @property
    def active(self) -> bool:
        return self.phase not in (Phase.PLANNED, Phase.FAILED, Phase.STORED, Phase.UPSCALED)

    @property
    def grid_message_id(self) -> str | None:
        return str(self.grid["id"]) if self.grid else None

    @property
    def upscale_message_id(self) -> str | None:
        return str(self.upscale["id"]) if self.upscale else None

    def fail(self, kind: str, reason: str) -> None:
        if self.phase is not Phase.FAILED:
            self.phase = Phase.FAILED
            self.failure_kind = kind
            self.failure = reason


class Correlator:
    """Owns the job states and the message → job map."""

    def __init__(self, channel_id: str, bot_id: str, *, user_id: str | None = None, clock_skew_s: float = 2.0) -> None:
        self.channel_id = str(channel_id)
        self.bot_id = str(bot_id)
        # Our own user id (from /users/@me): in a shared channel other people's jobs of the same
        # prompt must never be taken.
        self.user_id = str(user_id) if user_id else None
        self.foreign_ignored = 0
        self.clock_skew_s = clock_skew_s
        self.jobs: dict[str, JobState] = {}
        self.owner: dict[str, tuple[str, Role]] = {}
        self.ignored_old = 0
        self.unmatched: list[str] = []
        self.match_keys: Counter[str] = Counter()
        self._order: list[str] = []

    # -- job lifecycle (called by the runner) --

    def add(self, job: JobState) -> JobState:
        if job.key in self.jobs:
            raise ValueError(f"duplicate job key {job.key!r}")
        self.jobs[job.key] = job
        self._order.append(job.key)
        return job

    def submitted(self, job: JobState, nonce: str, when: float) -> None:
        job.nonce, job.submitted_at, job.phase = nonce, when, Phase.SUBMITTED
        # Anything older than the submission (minus clock skew to Discord) cannot belong to it.
        job.min_id = snowflake_at(when - self.clock_skew_s)

    def upscale_submitted(self, job: JobState, nonce: str, when: float) -> None:
        job.upscale_nonce, job.upscale_submitted_at, job.phase = nonce, when, Phase.UPSCALING

    # -- events --

    def handle(self, name: str, data: dict[str, Any], received: float) -> set[str]:
        """Apply one gateway dispatch (or a poller-synthesised one); return keys of changed jobs."""
        if name in ("INTERACTION_CREATE", "INTERACTION_SUCCESS", "INTERACTION_FAILURE"):
            return self._interaction(name, data)
        if str(data.get("channel_id", self.channel_id)) != self.channel_id:
            return set()
        if name == "MESSAGE_DELETE":
            return self._delete(str(data.get("id")), received)
        if name in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and data.get("id"):
            return self._message(data, received, update=name == "MESSAGE_UPDATE")
        return set()

    def _interaction(self, name: str, data: dict[str, Any]) -> set[str]:
        nonce, iid = data.get("nonce"), data.get("id")
        if not nonce:
            return set()
        for job in self.jobs.values():
            if job.nonce == nonce:
                if iid and job.interaction_id is None:
                    job.interaction_id = str(iid)
                if name == "INTERACTION_FAILURE":
                    job.fail("interaction_failed", "Discord reported INTERACTION_FAILURE for /imagine")
                return {job.key}
            if job.upscale_nonce == nonce:
                if iid and job.upscale_interaction_id is None:
                    job.upscale_interaction_id = str(iid)
                if name == "INTERACTION_FAILURE":
                    job.fail("interaction_failed", f"Discord reported INTERACTION_FAILURE for U{job.upscale_index}")
                return {job.key}
        return set()

    def _delete(self, message_id: str, received: float) -> set[str]:
        owned = self.owner.get(message_id)
        if owned and owned[1] is Role.START:
            job = self.jobs[owned[0]]
            job.progress_deleted_at = received
            return {job.key}
        return set()

    def _message(self, msg: dict[str, Any], received: float, *, update: bool) -> set[str]:
        mid = str(msg["id"])
        owned = self.owner.get(mid)
        if owned:
            job = self.jobs[owned[0]]
            self._apply(job, owned[1], msg, received, "known")
            return {job.key}
        author = msg.get("author") or {}
        if author and str(author.get("id")) != self.bot_id:
            return set()
        if update and "content" not in msg:
            return set()
        if not self._ours(msg):
            self.foreign_ignored += 1
            return set()
        candidates = [j for j in self._jobs() if j.active and int(mid) > j.min_id]
        if not candidates:
            if any(j.active for j in self.jobs.values()):
                self.ignored_old += 1
            return set()
        found = self._match(msg, candidates)
        if found is None:
            if is_grid(msg) or upscale_index_in(str(msg.get("content") or "")) is not None:
                self.unmatched.append(mid)
            return set()
        job, role, key = found
        self.owner[mid] = (job.key, role)
        self.match_keys[f"{role.value}:{key}"] += 1
        self._apply(job, role, msg, received, key)
        if role in (Role.START, Role.QUEUED) and job.start_match is None:
            job.start_match = key
        if key == "prompt" and role in (Role.START, Role.QUEUED):
            return {job.key} | self._settle_prompt_starts(job.norm)
        return {job.key}

    _START_FIELDS = (
        "phase",
        "progress_message_id",
        "queued_message_id",
        "interaction_id",
        "started_at",
        "percent",
        "mode",
        "job_hash",
        "prompt_echoed",
        "progress_deleted_at",
    )

    def _settle_prompt_starts(self, norm: str) -> set[str]:
        """First replies matched by prompt (no nonce, e.g. REST polling) go to identical jobs in
        submission order *by interaction id*: Discord assigns interaction ids in the order our
        serialised POSTs arrived, while the bot's replies may appear in another order."""
        group = [
            j
            for j in self._jobs()
            if j.norm == norm
            and j.start_match == "prompt"
            and j.interaction_id
            and j.grid is None
            and j.phase in (Phase.SUBMITTED, Phase.QUEUED, Phase.RUNNING)
        ]
        if len(group) < 2:
            return set()
        slots = sorted(group, key=lambda j: j.submitted_at or 0.0)
        states = sorted(
            ({f: getattr(j, f) for f in self._START_FIELDS} for j in group),
            key=lambda state: int(state["interaction_id"]),
        )
        moved: set[str] = set()
        for job, state in zip(slots, states, strict=True):
            if job.interaction_id == state["interaction_id"]:
                continue
            for name, value in state.items():
                setattr(job, name, value)
            for message_id in (job.progress_message_id, job.queued_message_id):
                if message_id:
                    self.owner[message_id] = (job.key, self.owner[message_id][1])
            moved.add(job.key)
        if moved:
            self.match_keys["start:reordered_by_interaction_id"] += len(moved)
        return moved

    def _ours(self, msg: dict[str, Any]) -> bool:
        if self.user_id is None:
            return True
        for key in ("interaction_metadata", "interaction"):
            user = (msg.get(key) or {}).get("user") or {}
            if user.get("id") and str(user["id"]) != self.user_id:
                return False
        mentioned = _MENTION.findall(str(msg.get("content") or ""))
        return not mentioned or self.user_id in mentioned

    def _jobs(self) -> list[JobState]:
        return [self.jobs[k] for k in self._order]

    def _match(self, msg: dict[str, Any], candidates: list[JobState]) -> tuple[JobState, Role, str] | None:
        content = str(msg.get("content") or "")
        notice = classify_notice(msg)
        grid = is_grid(msg)
        image_n = upscale_index_in(content)
        mid = int(msg["id"])

        # 1. nonce: only the first reply (waiting / queued / error) carries it.
        nonce = msg.get("nonce")
        if nonce:
            for job in candidates:
                if job.nonce == nonce:
                    return job, self._first_reply_role(notice), "nonce"
                if job.upscale_nonce == nonce:
                    return job, (Role.UPSCALE if image_n is not None else Role.NOTICE), "nonce"

        # 2. interaction id (interaction_metadata.id / interaction.id on bot messages).
        iid = interaction_id_of(msg)
        if iid:
            for job in candidates:
                if job.interaction_id == iid:
                    if grid and job.grid is None:
                        return job, Role.GRID, "interaction_id"
                    if not grid and job.progress_message_id is None:
                        return job, self._first_reply_role(notice), "interaction_id"
                    if notice is not None:
                        return job, Role.NOTICE, "interaction_id"
                if job.upscale_interaction_id == iid and job.upscale is None and job.grid is not None:
                    return job, (Role.UPSCALE if image_n is not None else Role.NOTICE), "interaction_id"

        # 3. reply reference: upscales and error replies point at the grid / progress message.
        ref = reference_id_of(msg)
        if ref:
            for job in candidates:
                if job.grid is not None and job.grid_message_id == ref and job.upscale is None:
                    if notice is not None:
                        return job, Role.NOTICE, "reference"
                    if image_n == job.upscale_index and job.phase is Phase.UPSCALING:
                        return job, Role.UPSCALE, "reference"
                if notice is not None and ref in (job.progress_message_id, job.queued_message_id):
                    return job, Role.NOTICE, "reference"

        # 4. job hash: the grid's buttons/filename carry the uuid the progress image had.
        digest = job_hash(msg)
        if grid and digest:
            for job in candidates:
                if job.job_hash == digest and job.grid is None:
                    return job, Role.GRID, "job_hash"

        # 5. last resort: normalised prompt, never contradicting a stronger key already known.
        echoed = echoed_prompt(content)
        if echoed is None and notice is not None:
            # Notices carry the prompt in the embed footer, `/imagine <prompt>` (bulkai reads it there).
            echoed = footer_prompt(msg)
        if echoed is None:
            return None
        norm = normalize_prompt(echoed)
        same = _most_specific([j for j in candidates if j.norm == norm], echoed)
        if grid:
            pool = [
                j
                for j in same
                if j.grid is None
                and j.phase in (Phase.SUBMITTED, Phase.QUEUED, Phase.RUNNING)
                and (j.job_hash is None or digest is None or j.job_hash == digest)
                and (j.interaction_id is None or iid is None or j.interaction_id == iid)
                and (j.progress_message_id is None or int(j.progress_message_id) < mid)
            ]
            # A final follows the deletion of its progress message: prefer jobs whose progress is gone.
            pool.sort(
                key=lambda j: (
                    j.progress_deleted_at is None,
                    j.progress_deleted_at or 0.0,
                    j.submitted_at or 0,
                )
            )
            return self._pick(pool, Role.GRID, msg)
        if image_n is not None:
            pool = [
                j
                for j in same
                if j.phase is Phase.UPSCALING
                and j.upscale is None
                and j.upscale_index == image_n
                and (ref is None or ref == j.grid_message_id)
            ]
            return self._pick(pool, Role.UPSCALE, msg)
        if ref is None:
            # A first reply (waiting, queued or error) seen without its nonce: REST polling never
            # returns nonces.
            pool = [
                j
                for j in same
                if j.progress_message_id is None
                and j.phase in (Phase.SUBMITTED, Phase.QUEUED)
                and (j.interaction_id is None or iid is None or j.interaction_id == iid)
            ]
            if notice is not None and notice.notice is Notice.JOB_QUEUED:
                pool = [j for j in pool if j.queued_message_id is None]
            pool.sort(key=lambda j: j.submitted_at or 0)
            return self._pick(pool, self._first_reply_role(notice), msg)
        return None

    def _pick(self, pool: list[JobState], role: Role, msg: dict[str, Any]) -> tuple[JobState, Role, str] | None:
        if not pool:
            return None
        if len(pool) > 1:
            pool[0].ambiguous.append(
                f"{role.value} message {msg['id']} matched by prompt among {len(pool)} identical jobs"
            )
        return pool[0], role, "prompt"

    @staticmethod
    def _first_reply_role(notice: Any) -> Role:
        if notice is None:
            return Role.START
        return Role.QUEUED if notice.notice is Notice.JOB_QUEUED else Role.NOTICE

    # -- applying a matched message --

    def _apply(self, job: JobState, role: Role, msg: dict[str, Any], received: float, key: str) -> None:
        content = str(msg.get("content") or "")
        notice = classify_notice(msg)
        job.interaction_id = job.interaction_id or (
            interaction_id_of(msg) if role in (Role.START, Role.QUEUED, Role.GRID) else None
        )
        if role is Role.QUEUED:
            if notice is not None and notice.notice is Notice.JOB_QUEUED:
                job.queued_message_id = str(msg["id"])
                if job.phase is Phase.SUBMITTED:
                    job.phase = Phase.QUEUED
                return
            if notice is not None and notice.terminal:
                job.fail(notice.notice.value, notice.reason)
                return
            # The queued notice was edited into the job's own first reply.
            self.owner[str(msg["id"])] = (job.key, Role.START)
            role = Role.START
        if role is Role.NOTICE:
            if notice is None:
                return
            if notice.terminal:
                job.fail(notice.notice.value, notice.reason)
            elif job.phase is Phase.SUBMITTED:
                job.phase = Phase.QUEUED
            return
        if role is Role.START:
            if notice is not None and notice.terminal:
                job.fail(notice.notice.value, notice.reason)
                return
            if job.progress_message_id is None:
                job.progress_message_id = str(msg["id"])
                job.started_at = received
            echoed = echoed_prompt(content)
            if echoed is not None:
                job.prompt_echoed = echoed
            progress = parse_progress(content)
            if progress.percent is not None:
                job.percent = progress.percent
            job.mode = progress.mode or job.mode
            job.job_hash = job.job_hash or job_hash(msg)
            if progress.stopped:
                job.fail("stopped", "Midjourney stopped the job (moderation or cancel): " + content[:200])
            elif job.phase in (Phase.SUBMITTED, Phase.QUEUED):
                job.phase = Phase.RUNNING
            return
        if role is Role.GRID:
            if job.grid is None:
                job.grid = msg
                job.grid_received_at = received
                job.grid_match = key
                job.job_hash = job_hash(msg) or job.job_hash
                echoed = echoed_prompt(content)
                job.prompt_echoed = echoed if echoed is not None else job.prompt_echoed
                job.mode = parse_progress(content).mode or job.mode
                job.percent = 100
                if job.phase is not Phase.FAILED:
                    job.phase = Phase.GRID
            return
        if role is Role.UPSCALE and job.upscale is None:
            if notice is not None and notice.terminal:
                job.fail(notice.notice.value, notice.reason)
                return
            job.upscale = msg
            job.upscale_received_at = received
            job.upscale_match = key
            if job.phase is Phase.UPSCALING:
                job.phase = Phase.UPSCALED


def _most_specific(jobs: list[JobState], echoed: str) -> list[JobState]:
    """Of jobs whose prompts match once settings are stripped, keep those whose own parameters the
    echo carries: `a calm lake --use_raw 1` must not be taken by a pending `a calm lake` job."""
    full = normalize_prompt(echoed, strip_settings=False)
    scores = {job.key: sent_prompt_specificity(job.norm_full, full) for job in jobs}
    best = max(scores.values(), default=-1)
    return [job for job in jobs if scores[job.key] == best] if best >= 0 else jobs
