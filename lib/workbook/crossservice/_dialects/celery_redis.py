"""jomapps/celery-redis (commit 56b07f35): `POST /api/v1/tasks/submit` -> 201 `{task_id, status,
project_id, ...}`, `GET /api/v1/tasks/{id}/status` -> `{task_id, project_id, status, progress,
current_step, result{media_url, payload_media_id, metadata}, error, ...}`, `GET
/api/v1/projects/{id}/tasks?page=&limit=` -> `{tasks[{task_id, task_type, status, ...}],
pagination{page, limit, total, total_pages}}`, `DELETE /api/v1/tasks/{id}`; webhook bodies
`{task_id, project_id, status: completed|failed, result | error, ...}`. Status words `queued |
processing | completed | failed | cancelled`."""

from __future__ import annotations

from typing import Any, ClassVar

from .._taskservice import DialectOptions, Reply, TaskService, TaskView


class CeleryRedisOptions(DialectOptions):
    submit_path: str = "/api/v1/tasks/submit"
    status_path: str = "/api/v1/tasks/{task_id}/status"
    project_tasks_path: str = "/api/v1/projects/{project_id}/tasks"
    cancel_path: str = "/api/v1/tasks/{task_id}"
    task_type: str = "generate_image"
    prompt_field: str = "prompt"  # inside task_data
    terminal_words: tuple[str, ...] = ("completed", "failed", "cancelled")
    # Where a task result carries the brain's answer (the workbook's stand-in: `characters`).
    brain_data_field: str = "characters"
    page_limit: int = 100
    max_pages: int = 20


class CeleryRedis(TaskService):
    name: ClassVar[str] = "celery-redis"
    Options: ClassVar[type[DialectOptions]] = CeleryRedisOptions
    options: CeleryRedisOptions

    def submit(self, project_id: str, prompt: str, callback_url: str) -> Reply:
        o = self.options
        body = {
            "project_id": project_id,
            "task_type": o.task_type,
            "task_data": {o.prompt_field: prompt},
            "callback_url": callback_url,
        }
        reply = self.call("POST", o.submit_path, route="submit_path", allow=(400, 422), json=body)
        if reply.status == 422:  # its own validation refused our body: not the platform's defect
            raise self.not_understood(reply, "submission")
        return reply

    def submitted_id(self, reply: Reply) -> str:
        return str(reply.body.get("task_id", "")) if reply.ok and isinstance(reply.body, dict) else ""

    def status(self, task_id: str) -> Reply:
        path = self.options.status_path.format(task_id=task_id)
        return self.call("GET", path, route="status_path", allow=(400, 404))

    def status_view(self, reply: Reply) -> TaskView | None:
        body = reply.body
        if not reply.ok or not isinstance(body, dict) or "status" not in body:
            return None
        result = body.get("result")
        # As designed, the task's own result sits in `result.metadata`; keep the whole object otherwise.
        payload = result.get("metadata", result) if isinstance(result, dict) else None
        return self._view(body, payload, str(body.get("error") or ""))

    def project_tasks(self, project_id: str) -> tuple[Reply, list[dict[str, Any]]]:
        o = self.options
        path = o.project_tasks_path.format(project_id=project_id)
        first = self.call("GET", path, route="project_tasks_path", params={"page": 1, "limit": o.page_limit})
        tasks = _tasks(first)
        pages = first.body.get("pagination", {}).get("total_pages", 1) if isinstance(first.body, dict) else 1
        for page in range(2, min(int(pages or 1), o.max_pages) + 1):
            params = {"page": page, "limit": o.page_limit}
            tasks += _tasks(self.call("GET", path, route="project_tasks_path", params=params))
        return first, tasks

    def cancel(self, task_id: str) -> Reply:
        path = self.options.cancel_path.format(task_id=task_id)
        return self.call("DELETE", path, route="cancel_path", allow=(400, 404, 500))

    def is_answer(self, reply: Reply, status: int) -> bool:
        """Its own errors carry `{"error", "message", "timestamp"}`; a 404 without them is a missing route."""
        if reply.status != status:
            return False
        return status != 404 or (isinstance(reply.body, dict) and "error" in reply.body)

    def webhook_view(self, payload: dict[str, Any]) -> TaskView:
        result = payload.get("result")
        return self._view(payload, result if isinstance(result, dict) else None, str(payload.get("error") or ""))

    def brain_data(self, result: dict[str, Any] | None) -> list[dict[str, Any]] | None:
        if not isinstance(result, dict) or self.options.brain_data_field not in result:
            return None
        data = result[self.options.brain_data_field]
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else None

    def _view(self, body: dict[str, Any], result: dict[str, Any] | None, error: str) -> TaskView:
        word = str(body.get("status", ""))
        return TaskView(
            task_id=str(body.get("task_id", "")),
            project_id=str(body.get("project_id", "")),
            status=word,
            terminal=word in self.options.terminal_words,
            result=result,
            error=error,
        )


def _tasks(reply: Reply) -> list[dict[str, Any]]:
    if not reply.ok or not isinstance(reply.body, dict):
        return []
    return [task for task in reply.body.get("tasks", []) if isinstance(task, dict)]
