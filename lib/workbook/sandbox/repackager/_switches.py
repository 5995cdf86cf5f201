"""The repackaging platform's defect switches, each caught by a named check of notebook 50.

Each is a failure the real platform (seed 003, resline/dify-plugin-repackaging f88dd2c) has; the
third field says whether its code has it BY DEFAULT (then the stand-in with every switch off is
kinder than the real platform, and the docs say so). The API process owns the switches
(fault-switch HTTP contract) and mirrors them into a JSON file the workers read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._faults import FaultSwitches
from .._mirror import FileValues, Mirror

# switch -> (check of notebook 50 that must catch it, what goes wrong, the real code does it by default)
FAULTS: dict[str, tuple[str, str, bool]] = {
    "shared_work_folder": (
        "isolation",
        "every task for a package of the same file name unpacks into SCRIPTS_DIR/<name>/ without clearing it "
        "or taking a lock (unzip -o), and the output is looked up by suffix in the shared folder",
        True,
    ),
    "leave_work_folder": (
        "retention",
        "the work folder SCRIPTS_DIR/<name>/ (unpacked files and wheels) is left behind when a task ends",
        True,
    ),
    "ack_early": (
        "chaos_worker_kill",
        "tasks are acknowledged when received (no acks_late, no reject_on_worker_lost): a task whose worker "
        "process dies is never redelivered and its record stays processing",
        True,
    ),
    "no_redis_retry": (
        "chaos_link_outage",
        "the worker's record writes are not retried: one during a Redis outage raises, so does the write of "
        "the failure, and the record stays processing",
        True,
    ),
    "stop_consuming_after_outage": (
        "chaos_redis_restart",
        "after its broker connection drops, a worker stops consuming the queue",
        True,
    ),
    "no_retry_on_429": ("upstream_retry", "an upstream 429 is final (4xx including 429 are not retried)", True),
    "no_retry_on_5xx": ("upstream_retry", "an upstream 500/503 is final (not retried)", False),
    "blocking_redis": (
        "liveness",
        "the API calls Redis synchronously on its event loop, with no timeout: a stalled Redis link freezes "
        "every route, /health included",
        True,
    ),
    "ws_500_when_redis_down": (
        "ws_redis_down",
        "the WebSocket handshake fails with HTTP 500 while Redis is unreachable",
        True,
    ),
    "snapshot_race": (
        "lifecycle",
        "the WebSocket reads the snapshot before it subscribes (the gap widened): an update published in "
        "between, the terminal one included, never reaches the client",
        True,
    ),
}


def faults(initial: Mapping[str, Any]) -> FaultSwitches:
    return FaultSwitches(FAULTS, initial)


class MirroredSwitches(Mirror, FaultSwitches):
    """The API's switches: every change is written atomically to `path` for the workers."""

    def __init__(self, path: Path, initial: Mapping[str, Any] | None = None) -> None:
        super().__init__(FAULTS, initial)
        self.mirror_path = path
        self.mirror()


# A worker's read-only view of the switches (re-read when the file changes).
FileSwitches = FileValues
