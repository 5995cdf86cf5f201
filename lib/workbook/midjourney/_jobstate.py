"""One job's state as the correlator learns it, and the roles a bot message can play for a job.

What a job learns *before* its grid is assigned — the nonce-bearing first reply, the interaction
id Discord reported for its nonce, the hash its own progress previews showed — is kept apart from
what the assignment brings, so ownership can later be verified from independent evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._parse import job_hash
from ._prompt import CanonicalPrompt, canonical_prompt


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
    NOTICE = "notice"  # error / rate-limit / unknown embed
    GRID = "grid"
    UPSCALE_ACK = "upscale_ack"  # "Upscaling image #N with ..." (not a result, not a notice)
    UPSCALE = "upscale"


@dataclass
class JobState:
    key: str
    prompt: str
    upscale_index: int
    canonical: CanonicalPrompt = field(init=False)
    phase: Phase = Phase.PLANNED
    nonce: str | None = None
    submitted_at: float | None = None
    min_id: int = 0
    interaction_id: str | None = None
    interaction_source: str | None = None  # how the interaction id was learned
    progress_message_id: str | None = None
    queued_message_id: str | None = None
    progress_deleted_at: float | None = None
    percent: int | None = None
    mode: str | None = None
    prompt_echoed: str | None = None
    preview_hash: str | None = None  # from the job's own progress messages, never from a grid
    started_at: float | None = None
    grid: dict[str, Any] | None = None
    grid_received_at: float | None = None
    grid_match: str | None = None
    upscale_nonce: str | None = None  # of the latest press
    upscale_nonces: list[str] = field(default_factory=list)
    upscale_interaction_ids: list[str] = field(default_factory=list)
    upscale_presses: int = 0
    upscale_retry_at: float | None = None  # a "Slow Down!" asked to press again at this time
    upscale_submitted_at: float | None = None
    upscale_ack_id: str | None = None
    upscale: dict[str, Any] | None = None
    upscale_received_at: float | None = None
    upscale_match: str | None = None
    start_match: str | None = None
    failure_kind: str | None = None
    failure: str | None = None
    ambiguous: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # unknown notices seen for this job

    def __post_init__(self) -> None:
        self.canonical = canonical_prompt(self.prompt)

    @property
    def job_hash(self) -> str | None:
        """The Midjourney job id: the grid's once assigned, else the one its previews showed."""
        return (job_hash(self.grid) if self.grid else None) or self.preview_hash

    @property
    def grid_hash(self) -> str | None:
        return job_hash(self.grid) if self.grid else None

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
