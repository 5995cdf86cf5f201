"""The story service's switches: one per defect (each failing a named check of notebook 60) plus
`outage`, the condition the error-propagation check applies itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._faults import FaultSwitches
from .._xservice import OnOffSwitches

# switch -> (check of notebook 60 that must catch it, what goes wrong)
FAULTS: dict[str, tuple[str, str]] = {
    "outage": ("error_propagation", "condition, not a defect: every API route answers 503 (the hop is down)"),
    "keep_deleted_characters": (
        "consistency",
        "a story keeps (and hands on) characters that were deleted from the character service",
    ),
}


def faults(initial: Mapping[str, Any]) -> FaultSwitches:
    return OnOffSwitches(FAULTS, initial)
