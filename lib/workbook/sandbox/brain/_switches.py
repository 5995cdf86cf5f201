"""The brain stand-in's fault switches, validated, with a seeded RNG for `error_rate`.

One switch per real defect; each makes a named check of notebook 30 fail with a detail naming it.

* `added_latency_ms` (number >= 0): every JSON-RPC reply is sent this much later (wall-clock ms;
  not scaled by WORKBOOK_TIME_SCALE, because it is what a probe must measure)
  -> `budget_ws_round_trip`, `budget_embedding`.
* `drop_connections` (integer >= 1): a connection is aborted (TCP reset, no close frame) when it
  receives message N+1, so the first N messages of each connection (handshake included) are
  answered and message N+1 never is -> `budget_ws_success`; `mcp_reconnect` turns it on itself.
* `error_rate` (number in [0, 1]): that fraction of `tools/call` requests is answered with JSON-RPC
  error -32603. Draws come from `random.Random(ERROR_RATE_SEED)`, reseeded whenever the switch is
  set, so a given sequence of calls always fails at the same positions -> `budget_ws_success`.
* `hide_tool_argument` (true): `tools/list` advertises `create_character` without its
  `project_id` argument -> `mcp_tools_listed`.
* `misrank_results` (true): `find_similar_characters` returns the least similar first
  -> `mcp_tool_execution`.
* `accept_invalid_tool_calls` (true): an unknown tool or invalid arguments get a successful
  result instead of an error -> `mcp_invalid_tool_calls`.
* `wrong_error_codes` (true): parse errors, invalid requests and unknown methods are answered
  with -32603 (internal error) instead of -32700 / -32600 / -32601 -> `mcp_error_cases`.
* `unrelated_embeddings` (true): every text gets a unit vector seeded by its own sha256, unrelated to
  its meaning -> notebook 60 `embedding_quality`.
* `leak_projects` (true): similarity search ranks the characters of every project
  -> `mcp_project_isolation`.
* `refuse_reconnects` (true): once the server has dropped a connection (with the switch on), it
  rejects new WebSocket handshakes with HTTP 503 -> `mcp_reconnect`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from .._faults import FaultSwitches

DEFECTS = (
    "hide_tool_argument",
    "misrank_results",
    "accept_invalid_tool_calls",
    "wrong_error_codes",
    "leak_projects",
    "refuse_reconnects",
    # -> notebook 60 `embedding_quality`: every text gets a vector unrelated to its meaning (see _embeddings.py)
    "unrelated_embeddings",
)
KNOWN = ("added_latency_ms", "drop_connections", "error_rate", *DEFECTS)
ERROR_RATE_SEED = 20261121


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(name: str, value: Any) -> None:
    if name == "added_latency_ms" and not (_number(value) and 0 <= value <= 60_000):
        raise ValueError(f"added_latency_ms must be a number of milliseconds in 0..60000, got {value!r}")
    if name == "drop_connections" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        raise ValueError(f"drop_connections must be an integer >= 1 (messages per connection), got {value!r}")
    if name == "error_rate" and not (_number(value) and 0 <= value <= 1):
        raise ValueError(f"error_rate must be a fraction in [0, 1], got {value!r}")
    if name in DEFECTS and value is not True:
        raise ValueError(f"{name} is on (true) or off (false/null), got {value!r}")


class BrainFaults(FaultSwitches):
    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self._rng = random.Random(ERROR_RATE_SEED)
        # Drops since `refuse_reconnects` was turned on: the service "does not come back" after one.
        self.dropped_while_refusing = 0
        super().__init__(KNOWN, initial)

    def update(self, changes: Mapping[str, Any]) -> None:
        for name, value in changes.items():
            if value is None or value is False or name not in KNOWN:
                continue  # turning off, or an unknown name the base class rejects with the known list
            _check(name, value)
        super().update(changes)
        if "error_rate" in changes:
            self._rng = random.Random(ERROR_RATE_SEED)
        if "refuse_reconnects" in changes:
            self.dropped_while_refusing = 0

    def clear(self) -> None:
        super().clear()
        self._rng = random.Random(ERROR_RATE_SEED)
        self.dropped_while_refusing = 0

    def dropped(self) -> None:
        """The server just dropped a connection."""
        if self.on("refuse_reconnects"):
            self.dropped_while_refusing += 1

    @property
    def refusing(self) -> bool:
        return self.on("refuse_reconnects") and self.dropped_while_refusing > 0

    @property
    def latency_s(self) -> float:
        return float(self.value("added_latency_ms", 0)) / 1000.0

    @property
    def drop_after(self) -> int | None:
        value = self.value("drop_connections")
        return int(value) if value else None

    def inject_error(self) -> bool:
        rate = float(self.value("error_rate", 0) or 0)
        return rate > 0 and self._rng.random() < rate
