"""The task service stand-in's pure pieces: switch values, the status body, the cancel answers."""

from __future__ import annotations

import pytest

from workbook.sandbox import fault_switches
from workbook.sandbox.taskservice._models import TaskType
from workbook.sandbox.taskservice._tasks_view import cancel_answer, status_body

STORED = {"project_id": "p", "status": "processing", "result": None, "error": "", "updated_at": "2026-01-01T00:00:00"}


def test_switch_values_are_checked() -> None:
    assert fault_switches("taskservice", {"brain_client": "upstream"}).on("brain_client")
    with pytest.raises(ValueError, match=r"brain_client must be one of \['tool-json', 'upstream'\]"):
        fault_switches("taskservice", {"brain_client": "jsonrpc"})
    with pytest.raises(ValueError, match="no_webhook is on"):
        fault_switches("taskservice", {"no_webhook": 3})
    with pytest.raises(ValueError, match="unknown fault switch"):
        fault_switches("taskservice", {"no_webhooks": True})


def test_status_body_reads_celerys_end_and_the_stored_task() -> None:
    done = status_body("t", {**STORED, "result": {"image_url": "u", "characters": []}}, "SUCCESS")
    assert done["status"] == "completed" and done["progress"] == 1.0
    assert done["result"] == {
        "media_url": "u",
        "payload_media_id": "",
        "metadata": {"image_url": "u", "characters": []},
    }
    assert status_body("t", STORED, "PENDING")["status"] == "processing"  # no STARTED state: the stored word
    failed = status_body("t", {**STORED, "error": "brain refused"}, "FAILURE")
    assert (failed["status"], failed["error"], failed["result"]) == ("failed", "brain refused", None)


def test_cancel_answers_per_state() -> None:
    assert cancel_answer("t", "PENDING", as_500=False)[0::2] == (200, False)
    assert cancel_answer("t", "SUCCESS", as_500=False)[:2] == (
        400,
        {"detail": "Task has already completed successfully and cannot be cancelled"},
    )
    assert cancel_answer("t", "FAILURE", as_500=True)[:2] == (500, {"detail": "Failed to cancel task: "})
    assert cancel_answer("t", "REVOKED", as_500=False)[2] is None


def test_task_type_words_as_python_3_12_prints_them() -> None:
    assert f"{TaskType.RENDER_ANIMATION}" == "TaskType.RENDER_ANIMATION"
    assert TaskType("render_animation") is TaskType.RENDER_ANIMATION
