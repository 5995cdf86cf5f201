"""Request and response models, with the real service's validation rules (app/models/task.py,
app/models/project.py): what a 422 is raised for and what each answer holds."""

from __future__ import annotations

import re
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, field_validator

PROJECT_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
PROJECT_ID_MAX = 100


class TaskType(StrEnum):
    GENERATE_VIDEO = "generate_video"
    GENERATE_IMAGE = "generate_image"
    PROCESS_AUDIO = "process_audio"
    RENDER_ANIMATION = "render_animation"
    TEST_PROMPT = "test_prompt"
    EVALUATE_DEPARTMENT = "evaluate_department"
    AUTOMATED_GATHER_CREATION = "automated_gather_creation"

    def __str__(self) -> str:
        # Python 3.12 formats a str-mixin Enum as `TaskType.NAME` (the real service runs 3.12, and its
        # 400 reads "Unsupported task type: TaskType.RENDER_ANIMATION"); pinned here for any Python.
        return f"TaskType.{self.name}"

    def __format__(self, spec: str) -> str:  # f-strings too, on every Python version
        return format(str(self), spec)


class TaskStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TaskPriority(IntEnum):
    HIGH = 1
    NORMAL = 2
    LOW = 3


class TaskSubmissionRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, validate_assignment=True)

    project_id: str
    task_type: TaskType
    task_data: dict[str, Any]
    priority: TaskPriority = TaskPriority.NORMAL
    callback_url: str | None = None
    metadata: dict[str, Any] | None = None

    @field_validator("project_id")
    @classmethod
    def _project_id(cls, value: str) -> str:
        if not PROJECT_ID.match(value):
            raise ValueError("Project ID must contain only alphanumeric, underscore, and dash characters")
        if len(value) > PROJECT_ID_MAX:
            raise ValueError("Project ID too long (max 100 characters)")
        return value

    @field_validator("callback_url")
    @classmethod
    def _callback_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("Callback URL must be HTTP or HTTPS")
        return value


class TaskSubmissionResponse(BaseModel):
    task_id: UUID
    status: TaskStatus
    project_id: str
    estimated_duration: int
    queue_position: int
    created_at: datetime


class TaskResult(BaseModel):
    media_url: str
    payload_media_id: str
    metadata: dict[str, Any]


class TaskStatusResponse(BaseModel):
    task_id: UUID
    project_id: str
    status: TaskStatus
    progress: float
    current_step: str
    result: TaskResult | None = None
    error: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


class ProjectTasksSummary(BaseModel):
    task_id: str
    task_type: str
    status: str
    created_at: datetime
    completed_at: datetime | None = None
    result_url: str | None = None


class ProjectTasksResponse(BaseModel):
    tasks: list[ProjectTasksSummary]
    pagination: dict[str, int]
