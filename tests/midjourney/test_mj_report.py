"""The notebook's verifications must fail when their target is broken (swapped results, reused
messages, stale messages, wrong image sizes, a foreign upscale, too many REST calls)."""

from __future__ import annotations

import dataclasses
import io
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from workbook.midjourney import RunReport
from workbook.midjourney._parse import snowflake_at
from workbook.midjourney._report import JobResult
from workbook.midjourney._storage import StoredImage, save_image

NOW = time.time()


def sid(offset_s: float, worker: int) -> str:
    return str(snowflake_at(NOW + offset_s, worker=worker))


def grid_and_upscale(folder: Path, key: str, index: int, seed: int) -> tuple[StoredImage, StoredImage]:
    grid = Image.new("RGB", (64, 64))
    draw = ImageDraw.Draw(grid)
    colours = [(seed * 40 % 255, 10, 10), (10, seed * 70 % 255, 10), (10, 10, seed * 90 % 255), (200, 200, seed)]
    for n, colour in enumerate(colours):
        col, row = n % 2, n // 2
        draw.rectangle((col * 32, row * 32, col * 32 + 31, row * 32 + 31), fill=colour)
    col, row = (index - 1) % 2, (index - 1) // 2
    cell = grid.crop((col * 32, row * 32, col * 32 + 32, row * 32 + 32))

    def stored(image: Image.Image, stem: str) -> StoredImage:
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return save_image(buffer.getvalue(), folder, stem, {"width": image.width, "height": image.height})

    return stored(grid, f"{key}_grid"), stored(cell, f"{key}_upscale")


def job(folder: Path, n: int, **overrides: Any) -> JobResult:
    digest = f"{n:08x}-0000-4000-8000-000000000000"
    grid_id, upscale_id, progress_id = sid(10 + n, n), sid(20 + n, n), sid(1 + n, n)
    grid, upscale = grid_and_upscale(folder, f"job{n}", 2, n)
    values: dict[str, Any] = {
        "key": f"job{n}",
        "prompt": "same prompt",
        "upscale_index": 2,
        "status": "stored",
        "failure_kind": None,
        "failure": None,
        "nonce": str(n),
        "interaction_id": str(n),
        "job_hash": digest,
        "mode": "fast",
        "prompt_echoed": "same prompt --v 6.1",
        "progress_message_id": progress_id,
        "queued_message_id": None,
        "grid_message_id": grid_id,
        "grid_hash": digest,
        "grid_match": "interaction_id",
        "upscale_nonce": f"u{n}",
        "upscale_message_id": upscale_id,
        "upscale_reference": grid_id,
        "upscale_index_echoed": 2,
        "upscale_match": "reference",
        "submitted_at": NOW,
        "grid_received_at": NOW + 10,
        "upscale_received_at": NOW + 20,
        "grid": grid,
        "upscale": upscale,
        "metadata_file": f"job{n}.json",
        # Evidence recorded before the grid was assigned (nonce-bearing message, previews, gateway).
        "start_match": "nonce",
        "preview_hash": digest,
        "interaction_source": "gateway",
        # Facts read from the grid message itself.
        "grid_reference": progress_id,
        "grid_interaction_id": str(n),
    }
    values.update(overrides)
    return JobResult(**values)


def report(jobs: list[JobResult], **overrides: Any) -> RunReport:
    values: dict[str, Any] = {
        "jobs": jobs,
        "rest_calls": {"POST /interactions": 2 * len(jobs), "GET /users/@me": 1},
        "downloads": 0,
        "rate_limited": 0,
        "invalid_requests": 0,
        "retries": 0,
        "status_counts": {},
        "watch": "gateway",
        "watch_log": [],
        "gateway": {},
        "polls": 0,
        "ignored_old_messages": 0,
        "unmatched_messages": [],
        "match_keys": {},
        "started_at": NOW,
        "elapsed_s": 1.0,
    }
    values.update(overrides)
    return RunReport(**values)


def test_a_correct_run_verifies_clean(tmp_path: Path) -> None:
    good = report([job(tmp_path, 1), job(tmp_path, 2)])
    assert good.ownership_problems() == []
    assert good.duplicate_message_ids() == []
    assert good.older_than_submission() == []
    assert good.image_problems() == []
    assert all(d == 0 for d in good.quadrant_differences().values())
    assert good.rest_problems(3.0) == []


def test_swapped_upscales_and_shared_hashes_are_caught(tmp_path: Path) -> None:
    one, two = job(tmp_path, 1), job(tmp_path, 2)
    swapped = [
        dataclasses.replace(one, upscale_reference=two.grid_message_id),
        dataclasses.replace(two, upscale_reference=one.grid_message_id),
    ]
    assert len(report(swapped).ownership_problems()) == 2
    shared = [one, dataclasses.replace(two, job_hash=one.job_hash, grid_hash=one.grid_hash)]
    assert any("also used by job1" in p for p in report(shared).ownership_problems())
    wrong_index = [dataclasses.replace(one, upscale_index_echoed=3)]
    assert "asked for U2, got Image #3" in report(wrong_index).ownership_problems()[0]


def grid_facts(result: JobResult) -> dict[str, Any]:
    """What a job's result says about its grid message (read from that message)."""
    return {
        name: getattr(result, name)
        for name in ("grid_message_id", "grid_hash", "grid_reference", "grid_interaction_id", "grid", "upscale")
    } | {"upscale_reference": result.grid_message_id, "upscale_message_id": result.upscale_message_id}


def test_a_swapped_pair_fails_ownership_although_each_job_hash_equals_its_grid_hash(tmp_path: Path) -> None:
    """The matcher hands each job the other's grid (and, as the old code did, copies the grid's hash
    into the job): only evidence recorded before the assignment can tell."""
    one, two = job(tmp_path, 1), job(tmp_path, 2)
    swapped = [
        dataclasses.replace(one, **grid_facts(two), job_hash=two.grid_hash),
        dataclasses.replace(two, **grid_facts(one), job_hash=one.grid_hash),
    ]
    assert all(result.job_hash == result.grid_hash for result in swapped)
    problems = report(swapped).ownership_problems()
    assert problems, "a swapped pair must not verify"
    text = "\n".join(problems)
    for result, other in ((swapped[0], two), (swapped[1], one)):
        assert f"{result.key}: grid {other.grid_message_id}" in text
    assert f"the job's own progress preview showed {one.preview_hash}" in text
    assert f"not to the job's own waiting message {one.progress_message_id}" in text
    assert "interaction" in text


def test_a_grid_with_no_independent_evidence_does_not_verify(tmp_path: Path) -> None:
    bare = dataclasses.replace(
        job(tmp_path, 1), preview_hash=None, grid_reference=None, grid_interaction_id=None, grid_match="prompt"
    )
    assert "cannot be tied to the job" in report([bare]).ownership_problems()[0]
    # One piece of evidence is enough, and a legacy upscale (no "Image #N") is judged by its reply.
    replied = dataclasses.replace(bare, grid_reference=bare.progress_message_id, upscale_index_echoed=None)
    assert report([replied]).ownership_problems() == []


def test_reused_and_stale_messages_are_caught(tmp_path: Path) -> None:
    one, two = job(tmp_path, 1), job(tmp_path, 2)
    reused = [one, dataclasses.replace(two, grid_message_id=one.grid_message_id)]
    assert report(reused).duplicate_message_ids()
    stale = [dataclasses.replace(one, upscale_message_id=sid(-3600, 9))]
    assert "before the job was submitted" in report(stale).older_than_submission()[0]


def test_wrong_sizes_and_foreign_upscales_are_caught(tmp_path: Path) -> None:
    one, two = job(tmp_path, 1), job(tmp_path, 2)
    assert one.grid is not None and two.upscale is not None
    lying = dataclasses.replace(one, grid=dataclasses.replace(one.grid, declared_width=2048))
    assert "declares 2048x64" in report([lying]).image_problems()[0]
    foreign = dataclasses.replace(one, upscale=two.upscale)  # right size, another job's picture
    assert report([foreign]).quadrant_differences()["job1"] > 16


def test_rest_budget_fails_on_stop_or_too_many_calls(tmp_path: Path) -> None:
    jobs = [job(tmp_path, 1)]
    assert report(jobs, stop_reason="DiscordAuthError: 401").rest_problems(3.0)
    assert report(jobs, rest_calls={"POST /interactions": 9}).rest_problems(3.0)
    # Polling legitimately costs more; the per-job goal applies to gateway-only runs.
    assert report(jobs, rest_calls={"GET /channels/1/messages": 9}, polls=9).rest_problems(3.0) == []
