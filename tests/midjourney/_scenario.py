"""Running the client against the emulator and comparing with the emulator's ground truth
(`GET {admin}/jobs`): the grid and upscale stored for a nonce are the ones the bot made for it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from workbook.midjourney import RunConfig, RunReport, plan_jobs
from workbook.midjourney._sync_client import SyncClient

from ._profiles import BOT_TOKEN_ENV, TOKEN_ENV, dialect_for

TIME_SCALE = 1000.0


def config(out: dict[str, str], folder: Path, **overrides: Any) -> RunConfig:
    values: dict[str, Any] = {
        "guild_id": out["guild_id"],
        "channel_id": out["channel_id"],
        "application_id": out["application_id"],
        "evidence_dir": folder,
        "watch": "gateway",
        "concurrency": 3,
        "job_timeout_s": 20.0,
        "upscale_timeout_s": 10.0,
        "poll_interval_s": 0.05,
        "gateway_connect_timeout_s": 2.0,
    }
    values.update(overrides)
    return RunConfig(**values)


def run(
    out: dict[str, str],
    folder: Path,
    prompts: list[str],
    indexes: list[int],
    *,
    two_identities: bool = False,
    gateway_url: str | None = None,
    **overrides: Any,
) -> RunReport:
    """The client against the emulator: one identity (the user token for everything) or two (a
    reader bot for the channel and the Gateway, the user token for interactions)."""
    dialect = dialect_for(out, two_identities=two_identities, gateway_url=gateway_url)
    with SyncClient(config(out, folder, **overrides), dialect) as client:
        report = client.run(plan_jobs(prompts, indexes))
    report.write_summary(folder)
    for env in (TOKEN_ENV, BOT_TOKEN_ENV):
        token = os.environ[env].encode()
        leaked = [path.name for path in folder.rglob("*") if path.is_file() and token in path.read_bytes()]
        assert leaked == [], f"{env} leaked into evidence files {leaked}"
    return report


def admin(out: dict[str, str], path: str) -> Any:
    response = httpx.get(out["admin_url"] + path, timeout=5)
    response.raise_for_status()
    return response.json()


def assert_matches_emulator(out: dict[str, str], report: RunReport, upscale_presses: int = 1) -> None:
    """Every stored job holds exactly the grid and upscale the bot produced for its nonces."""
    truth = admin(out, "/jobs")["jobs"]
    by_nonce = {job["nonce"]: job for job in truth if job.get("nonce")}
    for job in report.succeeded:
        imagine = by_nonce[job.nonce]
        assert imagine["kind"] == "imagine"
        assert job.job_hash == imagine["job_hash"], f"{job.key} got another job's grid"
        assert job.grid_message_id in imagine["message_ids"]
        upscale = by_nonce[job.upscale_nonce]
        assert upscale["kind"] == "upscale" and upscale["parent_message_id"] == job.grid_message_id
        assert job.upscale_message_id in upscale["message_ids"]
        presses = [j for j in truth if j["kind"] == "upscale" and j["parent_message_id"] == job.grid_message_id]
        assert len(presses) == upscale_presses, f"{job.key}: {len(presses)} presses of its U button"
    assert report.ownership_problems() == []
    assert report.duplicate_message_ids() == []
    assert report.older_than_submission() == []
    assert report.image_problems() == []


def emitted(out: dict[str, str], kind: str) -> list[dict[str, Any]]:
    return [e for e in admin(out, "/emitted?after_seq=0")["emitted"] if e.get("kind") == kind]
