"""The report of one `probe_mcp` run: what every stage measured, as frames and as JSON.

It measures and shows; it does not judge. The seed's budgets are applied to it by
`workbook.probes.evaluate_mcp_budgets`, the one verdict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ._errors import McpConnectError, McpDialectError
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
    """Everything one `probe_mcp` run measured against one WebSocket URL.

    `settings["dialect"]` is the dialect spoken (`settings["auto_detected"]` what auto-detection
    saw). `not_speaking` is set when the server answered in another envelope (the probe stopped
    there: `{"url", "dialect", "frame", "frames"}`), `unreachable` when no connection opened at
    all; then nothing was measured and no budget may be judged on it."""

    ws_url: str
    started_at: str
    duration_s: float
    settings: Mapping[str, Any]
    connect: LatencySummary
    handshake: HandshakeResult
    # None: the dialect has no tool listing (tool-json).
    tools: ToolsListResult | None
    tool_calls: Mapping[str, LatencySummary]
    concurrency: tuple[ConcurrencyLevel, ...] = ()
    reconnect: ReconnectResult | None = None
    error_cases: tuple[ErrorCaseResult, ...] = ()
    # One handshake per handshake-era protocol version asked for (a fresh connection each).
    handshake_versions: tuple[HandshakeResult, ...] = ()
    not_speaking: Mapping[str, Any] | None = None
    unreachable: str | None = None

    @classmethod
    def empty(cls, ws_url: str, started_at: str, settings: Mapping[str, Any]) -> McpProbeReport:
        """A report of a run that measured nothing (yet)."""
        nothing = HandshakeResult(False, "", error="not attempted")
        return cls(ws_url, started_at, 0.0, dict(settings), LatencySummary.build("connect", []), nothing, None, {})

    def stopped(self, error: McpDialectError, duration_s: float) -> McpProbeReport:
        frames = [_shown(frame) for frame in error.frames]
        evidence = {"url": error.url, "dialect": error.dialect, "frame": _shown(error.frame), "frames": frames}
        return replace(self, duration_s=duration_s, not_speaking=evidence)

    def unreachable_after(self, error: McpConnectError, duration_s: float) -> McpProbeReport:
        return replace(self, duration_s=duration_s, unreachable=str(error))

    @property
    def dialect(self) -> str:
        return str(self.settings.get("dialect", ""))

    def latency_frame(self) -> pd.DataFrame:
        """One row per operation: connect, handshake, tools/list and each tool's round trip."""
        import pandas as pd

        rows = [self.connect.row()]
        exchanges = []
        if self.handshake.negotiated_version is not None or not self.handshake.ok:
            exchanges.append(("initialize", self.handshake.ok, self.handshake.latency_s, self.handshake.error))
        if self.tools is not None:
            exchanges.append(("tools/list", self.tools.ok, self.tools.latency_s, self.tools.error))
        for label, ok, latency, error in exchanges:
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
            "tools": self.tools.to_dict() if self.tools is not None else None,
            "tool_calls": {name: summary.to_dict() for name, summary in self.tool_calls.items()},
            "concurrency": [level.to_dict() for level in self.concurrency],
            "reconnect": self.reconnect.to_dict() if self.reconnect else None,
            "error_cases": [case.to_dict() for case in self.error_cases],
            "handshake_versions": [h.to_dict() for h in self.handshake_versions],
            "not_speaking": dict(self.not_speaking) if self.not_speaking else None,
            "unreachable": self.unreachable,
        }


def _shown(frame: Any) -> str:
    text = frame if isinstance(frame, str) else json.dumps(frame, default=str)
    return text[:300]
