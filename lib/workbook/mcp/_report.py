"""The report of one `probe_mcp` run: what every stage measured, as frames and as JSON.

It measures and shows; it does not judge. The seed's budgets are applied to it by
`workbook.probes.evaluate_mcp_budgets`, the one verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._results import (
    ConcurrencyLevel,
    ErrorCaseResult,
    HandshakeResult,
    LatencySummary,
    ReconnectResult,
    ToolsListResult,
)

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class McpProbeReport:
    """Everything one `probe_mcp` run measured against one WebSocket URL."""

    ws_url: str
    started_at: str
    duration_s: float
    settings: Mapping[str, Any]
    connect: LatencySummary
    handshake: HandshakeResult
    tools: ToolsListResult
    tool_calls: Mapping[str, LatencySummary]
    concurrency: tuple[ConcurrencyLevel, ...] = ()
    reconnect: ReconnectResult | None = None
    error_cases: tuple[ErrorCaseResult, ...] = ()
    # One handshake per handshake-era protocol version asked for (a fresh connection each).
    handshake_versions: tuple[HandshakeResult, ...] = ()

    def latency_frame(self) -> pd.DataFrame:
        """One row per operation: connect, handshake, tools/list and each tool's round trip."""
        import pandas as pd

        rows = [self.connect.row()]
        for label, ok, latency, error in (
            ("initialize", self.handshake.ok, self.handshake.latency_s, self.handshake.error),
            ("tools/list", self.tools.ok, self.tools.latency_s, self.tools.error),
        ):
            summary = LatencySummary.build(
                label, [latency] if ok and latency is not None else [], [] if ok else [error or "failed"]
            )
            rows.append(summary.row())
        rows.extend(summary.row() for summary in self.tool_calls.values())
        return pd.DataFrame(rows)

    def concurrency_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([level.row() for level in self.concurrency])

    def error_cases_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([case.to_dict() for case in self.error_cases])

    def versions_frame(self) -> pd.DataFrame:
        """Requested vs negotiated protocol version, one row per version tried."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "requested": h.requested_version,
                    "negotiated": h.negotiated_version,
                    "ok": h.ok,
                    "latency_s": h.latency_s,
                    "error": h.error,
                }
                for h in self.handshake_versions
            ],
            columns=["requested", "negotiated", "ok", "latency_s", "error"],
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (raw samples included) for results.json / evidence files."""
        return {
            "ws_url": self.ws_url,
            "started_at": self.started_at,
            "duration_s": self.duration_s,
            "settings": dict(self.settings),
            "connect": self.connect.to_dict(),
            "handshake": self.handshake.to_dict(),
            "tools": self.tools.to_dict(),
            "tool_calls": {name: summary.to_dict() for name, summary in self.tool_calls.items()},
            "concurrency": [level.to_dict() for level in self.concurrency],
            "reconnect": self.reconnect.to_dict() if self.reconnect else None,
            "error_cases": [case.to_dict() for case in self.error_cases],
            "handshake_versions": [h.to_dict() for h in self.handshake_versions],
        }
