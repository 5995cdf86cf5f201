"""The brain stand-in's fault switches, validated, with a seeded RNG for `error_rate`.

* `added_latency_ms` (number >= 0): every JSON-RPC reply is sent this much later (wall-clock ms;
  not scaled by WORKBOOK_TIME_SCALE, because it is what a probe must measure).
* `drop_connections` (integer >= 1): a connection is aborted (TCP reset, no close frame) when it
  receives message N+1, so the first N messages of each connection (handshake included) are
  answered and message N+1 never is.
* `error_rate` (number in [0, 1]): that fraction of `tools/call` requests is answered with JSON-RPC
  error -32603. Draws come from `random.Random(ERROR_RATE_SEED)`, reseeded whenever the switch is
  set, so a given sequence of calls always fails at the same positions.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from .._faults import FaultSwitches

# `unrelated_embeddings` (true): every text gets a vector unrelated to its meaning (see _embeddings.py)
# -> notebook 60 `embedding_quality`.
# `leak_projects` (true): similarity search ranks the characters of every project -> `isolation`
# (the same switch as branch probes-mcp adds for notebook 30).
KNOWN = ("added_latency_ms", "drop_connections", "error_rate", "unrelated_embeddings", "leak_projects")
ERROR_RATE_SEED = 20261121


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class BrainFaults(FaultSwitches):
    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self._rng = random.Random(ERROR_RATE_SEED)
        super().__init__(KNOWN, initial)

    def update(self, changes: Mapping[str, Any]) -> None:
        for name, value in changes.items():
            if value is None or value is False or name not in KNOWN:
                continue  # turning off, or an unknown name the base class rejects with the known list
            if name == "added_latency_ms" and not (_number(value) and 0 <= value <= 60_000):
                raise ValueError(f"added_latency_ms must be a number of milliseconds in 0..60000, got {value!r}")
            if name == "drop_connections" and not (
                isinstance(value, int) and not isinstance(value, bool) and value >= 1
            ):
                raise ValueError(f"drop_connections must be an integer >= 1 (messages per connection), got {value!r}")
            if name == "error_rate" and not (_number(value) and 0 <= value <= 1):
                raise ValueError(f"error_rate must be a fraction in [0, 1], got {value!r}")
        super().update(changes)
        if "error_rate" in changes:
            self._rng = random.Random(ERROR_RATE_SEED)

    def clear(self) -> None:
        super().clear()
        self._rng = random.Random(ERROR_RATE_SEED)

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
