"""The task service's defect switches, one per failure the real service (jomapps/celery-redis at
56b07f35) shows, each failing a named check of notebook 60; and the sandbox-only options.

The API process owns both (fault-switch HTTP contract, `/_sandbox/options`) and mirrors them into
JSON files in the service's state dir; the Celery worker processes read those files, so one
running sandbox serves the whole fault matrix without restarting workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._faults import FaultSwitches
from .._mirror import Mirror

UPSTREAM = "upstream"
BRAIN_CLIENTS = ("tool-json", UPSTREAM)

# switch -> (check of notebook 60 that must catch it, what goes wrong, where the real code does it)
FAULTS: dict[str, tuple[str, str]] = {
    "brain_client": (
        "flow",
        "`upstream`: the worker calls the brain as celery-redis's BrainServiceClient does (JSON-RPC tools/call "
        "to <brain>/mcp with tools the brain lacks: search_embeddings, get_knowledge, store_knowledge; every "
        "failure swallowed) and the task completes without brain data (app/clients/brain_client.py, "
        "app/tasks/base_task.py:45-172); the status route asks the brain the same way before it answers "
        "(with the brain unreachable: 6 s of back-off per status call, measured)",
    ),
    "swallow_brain_errors": (
        "error_propagation",
        "a failed brain call is logged and swallowed; the task completes with no brain data "
        "(base_task.py: every brain helper ends `except Exception: return None | [] | False`)",
    ),
    "no_webhook": ("flow", "no webhook is POSTed to callback_url when a task ends"),
    "project_list_leak": (
        "isolation",
        "GET /api/v1/projects/{id}/tasks lists the tasks of every project (no project filter)",
    ),
    "status_404": (
        "consistency",
        "GET /api/v1/tasks/{id}/status answers 404 'Task not found or status unavailable' for every task: the "
        "real route builds a response without project_id/current_step, its model rejects it, and its own "
        "`except Exception` turns that into 404 (app/api/tasks.py:142-205)",
    ),
    "cancel_unknown_ok": (
        "consistency",
        "DELETE /api/v1/tasks/{id} of an id the service never issued answers 200 'cancelled': Celery reports "
        "PENDING for unknown ids and the route revokes whatever is PENDING (app/api/tasks.py:299-319)",
    ),
    "cancel_errors_as_500": (
        "consistency",
        "DELETE of a completed or failed task answers 500 'Failed to cancel task: ' (no reason): the route's own "
        "HTTPException(400) is caught by its `except Exception` (app/api/tasks.py:343-417)",
    ),
}

# Sandbox-only settings that are not defects: where the worker finds the brain (a chaos step points
# it at a closed port to take the brain hop down, as a network fault would).
OPTIONS = ("brain_url",)


class ServiceSwitches(FaultSwitches):
    """The switches with their values checked (`brain_client` takes a dialect name, others true)."""

    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        super().__init__(FAULTS, initial)

    def update(self, changes: Mapping[str, Any]) -> None:
        for name, value in changes.items():
            if value is None or value is False or name not in FAULTS:
                continue  # off, or an unknown name the base class rejects with the known list
            if name == "brain_client":
                if value not in BRAIN_CLIENTS:
                    raise ValueError(f"brain_client must be one of {list(BRAIN_CLIENTS)}, got {value!r}")
            elif value is not True:
                raise ValueError(f"{name} is on (true) or off (false/null), got {value!r}")
        super().update(changes)

    @property
    def brain_client(self) -> str:
        return str(self.value("brain_client", BRAIN_CLIENTS[0]))


def faults(initial: Mapping[str, Any]) -> FaultSwitches:
    return ServiceSwitches(initial)


class MirroredSwitches(Mirror, ServiceSwitches):
    """The API's switches: every change is written to `path` for the workers."""

    def __init__(self, path: Path, initial: Mapping[str, Any] | None = None) -> None:
        super().__init__(initial)
        self.mirror_path = path
        self.mirror()  # written before the worker starts reading it
