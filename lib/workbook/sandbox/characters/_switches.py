"""The character service's switches: one per defect (each failing a named check of notebook 60)
plus `outage`, the condition the error-propagation check applies itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._faults import FaultSwitches
from .._xservice import OnOffSwitches

# switch -> (check of notebook 60 that must catch it, what goes wrong)
FAULTS: dict[str, tuple[str, str]] = {
    "outage": ("error_propagation", "condition, not a defect: every API route answers 503 (the hop is down)"),
    "no_rollback_on_brain_error": (
        "error_propagation",
        "the row is committed before the brain call; a brain failure answers 500 and leaves an orphan row",
    ),
    "partial_write": ("flow", "the row is saved and 201 answered, but the brain registration is lost"),
    "stale_embedding_on_update": ("consistency", "PATCH updates the row but never re-embeds it in the brain"),
    "drop_request_id": ("flow", "the X-Request-ID is not propagated into the MCP call's _meta"),
}


def faults(initial: Mapping[str, Any]) -> FaultSwitches:
    return OnOffSwitches(FAULTS, initial)
