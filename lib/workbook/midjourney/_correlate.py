"""Assigning the bot's messages to jobs, strongest key first.

Order (issue 4 and 13, reference notes §4): the first reply by `nonce`; progress edits by the
progress message id; the final grid by interaction id, then by its reply to the job's own waiting
message, then by the hash the job's previews showed; the upscale by its reply to the grid; and only
then by prompt (its canonical parameter set, `_prompt`), never contradicting a stronger key and
never taking an action's grid (variations, zoom, pan, remix, reroll) for an /imagine grid. A
message id is owned by at most one job, and a job only considers messages whose snowflake is newer
than its submission. Pure logic: events in, state changes out; the watcher and client do the I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ._apply import apply_message
from ._jobstate import JobState, Phase, Role
from ._parse import (
    Classified,
    Notice,
    classify_notice,
    echoed_prompt,
    footer_prompt,
    interaction_id_of,
    interaction_type_of,
    is_grid,
    job_hash,
    message_action,
    reference_id_of,
    snowflake_at,
    upscale_index_in,
)
from ._prompt import canonical_prompt, prompt_match

_MENTION = re.compile(r"<@!?(\d+)>")


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
        self.unknown_notices: list[str] = []
        self.match_keys: Counter[str] = Counter()
        self._order: list[str] = []
        self._seen_unknown: set[str] = set()

    # -- job lifecycle (called by the job flow) --

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
        """A press of the job's U button (again after a "Slow Down!")."""
        job.upscale_nonce, job.upscale_submitted_at, job.phase = nonce, when, Phase.UPSCALING
        job.upscale_nonces.append(nonce)
        job.upscale_presses += 1
        job.upscale_retry_at = None

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
                    job.interaction_id, job.interaction_source = str(iid), f"{name} for its nonce"
                if name == "INTERACTION_FAILURE":
                    job.fail("interaction_failed", "Discord reported INTERACTION_FAILURE for /imagine")
                return {job.key}
            if nonce in job.upscale_nonces:
                if iid and str(iid) not in job.upscale_interaction_ids:
                    job.upscale_interaction_ids.append(str(iid))
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
            self._record_unknown(msg)
            apply_message(job, owned[1], msg, received, "known")
            return {job.key}
        author = msg.get("author") or {}
        if author and str(author.get("id")) != self.bot_id:
            return set()
        if update and "content" not in msg:
            return set()
        if not self._ours(msg):
            self.foreign_ignored += 1
            return set()
        self._record_unknown(msg)
        candidates = [j for j in self._jobs() if j.active and int(mid) > j.min_id]
        if not candidates:
            if any(j.active for j in self.jobs.values()):
                self.ignored_old += 1
            return set()
        found = self._match(msg, candidates)
        if found is None:
            if is_grid(msg) or message_action(str(msg.get("content") or "")) in ("upscale", "upscaled"):
                self.unmatched.append(mid)
            return set()
        job, role, key = found
        self.match_keys[f"{role.value}:{key}"] += 1
        role = apply_message(job, role, msg, received, key)
        self.owner[mid] = (job.key, role)
        if role in (Role.START, Role.QUEUED) and job.start_match is None:
            job.start_match = key
        if key == "prompt" and role in (Role.START, Role.QUEUED):
            return {job.key} | self._settle_prompt_starts(job.canonical.key)
        return {job.key}

    def _record_unknown(self, msg: dict[str, Any]) -> None:
        notice = classify_notice(msg)
        mid = str(msg["id"])
        if notice is not None and notice.notice is Notice.UNKNOWN and mid not in self._seen_unknown:
            self._seen_unknown.add(mid)
            self.unknown_notices.append(f"{mid}: {notice.title or notice.description[:60]}")

    _START_FIELDS = (
        "phase",
        "progress_message_id",
        "queued_message_id",
        "interaction_id",
        "interaction_source",
        "started_at",
        "percent",
        "mode",
        "preview_hash",
        "prompt_echoed",
        "progress_deleted_at",
    )

    def _settle_prompt_starts(self, key: str) -> set[str]:
        """First replies matched by prompt (no nonce, e.g. REST polling) go to identical jobs in
        submission order *by interaction id*: Discord assigns interaction ids in the order our
        serialised POSTs arrived, while the bot's replies may appear in another order."""
        group = [
            j
            for j in self._jobs()
            if j.canonical.key == key
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
        action = message_action(content)
        grid = is_grid(msg)
        # An /imagine grid has no action phrase and was not made by a button (a reroll was).
        imagine_grid = grid and action == "imagine" and interaction_type_of(msg) in (None, 2)
        result = action in ("upscale", "upscaled") and bool(msg.get("attachments"))
        image_n = upscale_index_in(content)
        iid, ref = interaction_id_of(msg), reference_id_of(msg)

        def upscale_role() -> Role:
            if action == "upscale_ack":
                return Role.UPSCALE_ACK
            return Role.UPSCALE if result else Role.NOTICE

        # 1. nonce: only the first reply (waiting / queued / error / acknowledgement) carries it.
        nonce = msg.get("nonce")
        if nonce:
            for job in candidates:
                if job.nonce == nonce:
                    return job, self._first_reply_role(notice), "nonce"
                if nonce in job.upscale_nonces:
                    return job, upscale_role(), "nonce"

        # 2. interaction id (interaction_metadata.id / interaction.id on bot messages).
        if iid:
            for job in candidates:
                if job.interaction_id == iid:
                    if imagine_grid and job.grid is None:
                        return job, Role.GRID, "interaction_id"
                    if not grid and job.progress_message_id is None:
                        return job, self._first_reply_role(notice), "interaction_id"
                    if notice is not None:
                        return job, Role.NOTICE, "interaction_id"
                if iid in job.upscale_interaction_ids and job.upscale is None and job.grid is not None:
                    return job, upscale_role(), "interaction_id"

        # 3. reply chain: finals reply to the job's waiting message, upscales and errors to the grid.
        if ref:
            for job in candidates:
                if job.grid is not None and job.grid_message_id == ref and job.upscale is None:
                    if notice is not None:
                        return job, Role.NOTICE, "reference"
                    if result and job.phase is Phase.UPSCALING and image_n in (None, job.upscale_index):
                        return job, Role.UPSCALE, "reference"
                if ref in (job.progress_message_id, job.queued_message_id):
                    if notice is not None:
                        return job, Role.NOTICE, "reference"
                    if imagine_grid and job.grid is None:
                        return job, Role.GRID, "reference"

        # 4. job hash: the grid's buttons/filename carry the uuid the job's progress preview showed.
        digest = job_hash(msg)
        if imagine_grid and digest:
            for job in candidates:
                if job.preview_hash == digest and job.grid is None:
                    return job, Role.GRID, "job_hash"

        # 5. last resort: the prompt, never contradicting a stronger key already known.
        return self._match_prompt(msg, candidates, notice, imagine_grid, result, image_n, digest)

    def _match_prompt(
        self,
        msg: dict[str, Any],
        candidates: list[JobState],
        notice: Classified | None,
        imagine_grid: bool,
        result: bool,
        image_n: int | None,
        digest: str | None,
    ) -> tuple[JobState, Role, str] | None:
        content = str(msg.get("content") or "")
        echoed = echoed_prompt(content)
        if echoed is None and notice is not None:
            # Notices carry the prompt in the embed footer, `/imagine <prompt>` (bulkai reads it there).
            echoed = footer_prompt(msg)
        if echoed is None or message_action(content) == "upscale_ack":
            return None
        same = _best_prompt_matches(candidates, echoed)
        mid, iid, ref = int(msg["id"]), interaction_id_of(msg), reference_id_of(msg)
        if is_grid(msg):
            if not imagine_grid:
                return None  # an action's grid (variation, zoom, pan, remix, reroll) is no job's grid
            pool = [
                j
                for j in same
                if j.grid is None
                and j.phase in (Phase.SUBMITTED, Phase.QUEUED, Phase.RUNNING)
                and (j.preview_hash is None or digest is None or j.preview_hash == digest)
                and (j.interaction_id is None or iid is None or j.interaction_id == iid)
                and (j.progress_message_id is None or int(j.progress_message_id) < mid)
                # A reply to another message than the job's own waiting message is not its final.
                and (ref is None or (j.progress_message_id is None and ref not in self.owner))
            ]
            # A final follows the deletion of its progress message: prefer jobs whose progress is gone.
            pool.sort(key=lambda j: (j.progress_deleted_at is None, j.progress_deleted_at or 0.0, j.submitted_at or 0))
            return self._pick(pool, Role.GRID, msg)
        if result or image_n is not None:
            pool = [
                j
                for j in same
                if j.phase is Phase.UPSCALING
                and j.upscale is None
                and (image_n is None or j.upscale_index == image_n)
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
    def _first_reply_role(notice: Classified | None) -> Role:
        if notice is None:
            return Role.START
        return Role.QUEUED if notice.notice is Notice.JOB_QUEUED else Role.NOTICE


def _best_prompt_matches(jobs: list[JobState], echoed: str) -> list[JobState]:
    """Jobs whose sent prompt the echo can be (canonical parameters), keeping the most specific:
    `a calm lake --use_raw 1` must not be taken by a pending `a calm lake` job."""
    echo = canonical_prompt(echoed)
    scores = {job.key: prompt_match(job.canonical, echo) for job in jobs}
    best = max((score for score in scores.values() if score is not None), default=None)
    return [] if best is None else [job for job in jobs if scores[job.key] == best]
