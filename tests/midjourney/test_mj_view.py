"""Headless progress: one flushed `[progress]` line per job state change, plus periodic summaries."""

from __future__ import annotations

import pytest

from workbook.midjourney import ProgressView


def row(job: str, phase: str, progress: str = "", reason: str = "") -> dict[str, str]:
    return {
        "job": job,
        "prompt": "p",
        "phase": phase,
        "progress": progress,
        "mode": "",
        "hash": "",
        "grid": "",
        "upscale": "",
        "reason": reason,
    }


def test_headless_lines_only_on_change(capsys: pytest.CaptureFixture[str]) -> None:
    view = ProgressView(False, every_s=3600)
    view([row("job01", "submitted")])
    view([row("job01", "submitted")])
    view([row("job01", "running", "31%")])
    view([row("job01", "failed", reason="banned_prompt: Banned prompt detected")])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[progress] midjourney job01 submitted"
    assert "[progress] midjourney jobs: 1 submitted" in lines
    assert "[progress] midjourney job01 running 31%" in lines
    assert "[progress] midjourney job01 failed — banned_prompt: Banned prompt detected" in lines
    assert lines[-1] == "[progress] midjourney jobs: 1 failed"  # summaries only when the counts change
    assert sum("submitted" in line for line in lines) == 2  # the job line and one summary, no repeats
