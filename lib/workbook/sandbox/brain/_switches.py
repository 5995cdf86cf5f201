"""The brain stand-in's fault switches, validated, with a seeded RNG for `error_rate`.

One switch per real defect; each makes a named check of notebook 30 fail with a detail naming it.
Each applies to both WebSocket dialects (the real brain's `{"tool": ...}` at `/`, JSON-RPC MCP at
`/mcp`) unless it says otherwise.

The real brain's own failure modes (jomapps/mcp-brain-service d15715b):

* `reject_negative_scores` (true): the real `CharacterSearchResult` validates `similarity_score`
  to [0, 1] (models/character.py:62), so ONE character whose weighted score is negative makes the
  whole search fail with `Failed to find similar characters: 1 validation error for
  CharacterSearchResult ...` (character_service.py:213-224, main.py:330-335). Off, the stand-in
  clamps scores into [0, 1] and answers -> `mcp_tool_execution` (its unrelated-query search).
* `store_down` (true): Neo4j unreachable after start-up: `GET /health` still answers 200, with
  `"status": "degraded"` and the neo4j component unhealthy (main.py:132-169); every tool call and
  REST route that touches the store fails with the driver's error -> `mcp_tool_execution`,
  `budget_ws_success` (notebook 00 reads the degraded body).
* `embedding_provider_hangs` (true, or seconds per attempt): the embedding API (Jina) accepts the
  connection and never answers: each call waits out its 30 s timeout three times with 1 s and 2 s
  back-off (embeddings.py:38-95), i.e. 93 s, divided by WORKBOOK_TIME_SCALE; `GET /health` calls
  the provider on every request, so it blocks that long and then answers 200 `degraded`; tool
  calls fail after the same wait -> `budget_health_response` (and the WebSocket budgets).
* `leak_projects` (true): similarity search (both dialects, and REST `/api/v1/search`) ranks the
  characters of every project: the missing project filter -> `mcp_project_isolation`.

Switches that model failures any deployment of it shows:

* `added_latency_ms` (number >= 0): every WebSocket reply is sent this much later (wall-clock ms;
  not scaled by WORKBOOK_TIME_SCALE, because it is what a probe must measure)
  -> `budget_ws_round_trip`, `budget_embedding`.
* `drop_connections` (integer >= 1): a connection is aborted (TCP reset, no close frame) when it
  receives message N+1, so the first N messages of each connection (handshake included) are
  answered and message N+1 never is -> `budget_ws_success`; `mcp_reconnect` turns it on itself.
* `error_rate` (number in [0, 1]): that fraction of tool calls fails as the embedding provider
  failing intermittently does: `{"status": "error", "message": "Failed to create character: Jina
  embedding failed: ..."}` at `/`, JSON-RPC error -32603 at `/mcp`. Draws come from
  `random.Random(ERROR_RATE_SEED)`, reseeded whenever the switch is set, so a given sequence of
  calls always fails at the same positions -> `budget_ws_success`.
* `hide_tool_argument` (true): `create_character` no longer requires `project_id` (`/`: its
  "Missing required fields" message leaves it out and a call without it succeeds; `/mcp`:
  `tools/list` does not advertise it) -> `mcp_tools_listed`.
* `misrank_results` (true): `find_similar_characters` returns the least similar first
  -> `mcp_tool_execution`.
* `accept_invalid_tool_calls` (true): an unknown tool or invalid arguments get a successful
  result instead of an error (what the real brain's stdio MCP server does: `Unknown tool: x` as a
  plain text result, mcp_server.py:495-499) -> `mcp_invalid_tool_calls`.
* `wrong_error_codes` (true, `/mcp` only): parse errors, invalid requests and unknown methods are
  answered with -32603 (internal error) instead of -32700 / -32600 / -32601 -> `mcp_error_cases`.
* `unrelated_embeddings` (true): every text gets a unit vector seeded by its own sha256, unrelated to
  its meaning -> notebook 60 `embedding_quality`.
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
    "reject_negative_scores",
    "store_down",
)
KNOWN = ("added_latency_ms", "drop_connections", "error_rate", "embedding_provider_hangs", *DEFECTS)
# The real embedding client: a 30 s timeout per attempt, three attempts, 1 s and 2 s back-off.
PROVIDER_TIMEOUT_S, PROVIDER_ATTEMPTS, PROVIDER_BACKOFF_S = 30.0, 3, (1.0, 2.0)
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
    if name == "embedding_provider_hangs" and not (value is True or (_number(value) and 0 < value <= 600)):
        raise ValueError(
            f"embedding_provider_hangs is true (30 s per attempt) or seconds per attempt in (0, 600], got {value!r}"
        )
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

    def provider_hang_s(self, time_scale: float) -> float | None:
        """How long one embedding call waits before failing (None: the provider answers): three
        attempts' timeouts plus the back-off between them, on the sandbox's clock."""
        value = self.value("embedding_provider_hangs")
        if value is None:
            return None
        per_attempt = PROVIDER_TIMEOUT_S if value is True else float(value)
        return (PROVIDER_ATTEMPTS * per_attempt + sum(PROVIDER_BACKOFF_S)) / max(time_scale, 1e-9)

    def inject_error(self) -> bool:
        rate = float(self.value("error_rate", 0) or 0)
        return rate > 0 and self._rng.random() < rate
