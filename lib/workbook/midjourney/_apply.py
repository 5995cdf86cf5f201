"""Applying a matched bot message to its job: the state changes each role brings. Pure logic."""

from __future__ import annotations

from typing import Any

from ._jobstate import JobState, Phase, Role
from ._parse import Classified, Notice, classify_notice, echoed_prompt, interaction_id_of, job_hash, parse_progress

# When a "Slow Down!" names no time, press again after this long.
DEFAULT_SLOW_DOWN_S = 5.0


def apply_message(job: JobState, role: Role, msg: dict[str, Any], received: float, key: str) -> Role:
    """Apply `msg` to `job` in `role` (matched by `key`); returns the role the message turned out
    to play (a queued notice edited into the job's first reply becomes its START message)."""
    content = str(msg.get("content") or "")
    notice = classify_notice(msg)
    if role in (Role.START, Role.QUEUED) and job.interaction_id is None and (iid := interaction_id_of(msg)):
        job.interaction_id, job.interaction_source = iid, f"{role.value} message matched by {key}"
    if role is Role.QUEUED:
        if notice is not None and notice.notice is Notice.JOB_QUEUED:
            job.queued_message_id = str(msg["id"])
            if job.phase is Phase.SUBMITTED:
                job.phase = Phase.QUEUED
            return role
        if notice is not None and notice.terminal:
            job.fail(notice.notice.value, notice.reason)
            return role
        role = Role.START  # the queued notice was edited into the job's own first reply
    if role is Role.NOTICE:
        _notice(job, notice, received)
    elif role is Role.START:
        _start(job, msg, content, notice, received)
    elif role is Role.GRID:
        _grid(job, msg, content, received, key)
    elif role is Role.UPSCALE_ACK:
        job.upscale_ack_id = job.upscale_ack_id or str(msg["id"])
    elif role is Role.UPSCALE and job.upscale is None:
        if notice is not None and notice.terminal:
            job.fail(notice.notice.value, notice.reason)
        else:
            job.upscale, job.upscale_received_at, job.upscale_match = msg, received, key
            if job.phase is Phase.UPSCALING:
                job.phase = Phase.UPSCALED
    return role


def _notice(job: JobState, notice: Classified | None, received: float) -> None:
    if notice is None:
        return
    if notice.notice is Notice.UNKNOWN:
        text = f"unknown notice {notice.title!r}: {notice.description}".rstrip(": ")
        if text not in job.notices:
            job.notices.append(text)
    elif notice.notice is Notice.SLOW_DOWN and job.phase is Phase.UPSCALING:
        job.upscale_retry_at = notice.retry_at or received + DEFAULT_SLOW_DOWN_S
    elif notice.notice is Notice.SLOW_DOWN:
        job.fail(notice.notice.value, notice.reason + " (an /imagine is not resubmitted automatically)")
    elif notice.terminal:
        job.fail(notice.notice.value, notice.reason)
    elif job.phase is Phase.SUBMITTED:
        job.phase = Phase.QUEUED


def _start(job: JobState, msg: dict[str, Any], content: str, notice: Classified | None, received: float) -> None:
    if notice is not None and notice.terminal:
        job.fail(notice.notice.value, notice.reason)
        return
    if notice is not None:
        _notice(job, notice, received)
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
    job.preview_hash = job.preview_hash or job_hash(msg)
    if progress.stopped:
        job.fail("stopped", "Midjourney stopped the job (moderation or cancel): " + content[:200])
    elif job.phase in (Phase.SUBMITTED, Phase.QUEUED):
        job.phase = Phase.RUNNING


def _grid(job: JobState, msg: dict[str, Any], content: str, received: float, key: str) -> None:
    if job.grid is not None:
        return
    job.grid, job.grid_received_at, job.grid_match = msg, received, key
    echoed = echoed_prompt(content)
    job.prompt_echoed = echoed if echoed is not None else job.prompt_echoed
    job.mode = parse_progress(content).mode or job.mode
    job.percent = 100
    if job.phase is not Phase.FAILED:
        job.phase = Phase.GRID
