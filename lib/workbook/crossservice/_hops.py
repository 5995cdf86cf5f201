"""Per-hop latency from the services' own request logs, and the waterfall plot keyed by correlation id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

SERVICE_COLOURS = {
    "workbook": "#777777",
    "taskservice": "#9467bd",
    "characters": "#1f77b4",
    "brain": "#d62728",
    "story": "#2ca02c",
}


def hop_name(entry: Mapping[str, Any]) -> str:
    """A stable name for a hop: the service and what it did, ids left out."""
    hop = str(entry.get("hop", ""))
    parts = hop.split(" ")
    if len(parts) == 2 and parts[1].startswith("/projects/"):
        segments = parts[1].split("/")
        # /projects/{p}/characters/{id}/similar -> characters/{id}/similar
        shape = "/".join("{id}" if i >= 4 and i % 2 == 0 else s for i, s in enumerate(segments) if i >= 3)
        hop = f"{parts[0]} {shape}"
    return f"{entry.get('service', '?')}: {hop}"


def hop_table(entries: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    rows = [{"hop": hop_name(e), "service": e.get("service"), "ms": float(e.get("duration_ms", 0.0))} for e in entries]
    if not rows:
        return pd.DataFrame(columns=["hop", "service", "calls", "p50_ms", "max_ms"])
    frame = pd.DataFrame(rows)
    table = frame.groupby(["hop", "service"], as_index=False)["ms"].agg(calls="count", p50_ms="median", max_ms="max")
    return table.sort_values("p50_ms", ascending=False).reset_index(drop=True)


def waterfall(entries: Sequence[Mapping[str, Any]], request_id: str) -> Figure:
    """One bar per recorded hop, from its start to its end, in start order."""
    chosen = sorted((e for e in entries if e.get("request_id") == request_id), key=lambda e: float(e["at"]))
    figure, axis = plt.subplots(figsize=(10, 0.3 * max(len(chosen), 4) + 1.2))
    if chosen:
        origin = float(chosen[0]["at"])
        for row, entry in enumerate(chosen):
            start = (float(entry["at"]) - origin) * 1000
            width = max(float(entry.get("duration_ms", 0.0)), 0.5)
            colour = SERVICE_COLOURS.get(str(entry.get("service")), "#8c564b")
            axis.barh(row, width, left=start, color=colour, edgecolor="black" if entry.get("error") else colour)
        axis.set_yticks(range(len(chosen)), [hop_name(e) for e in chosen], fontsize=7)
        axis.invert_yaxis()
    axis.set_xlabel("ms since the first hop")
    axis.set_title(f"hops of correlation id {request_id}")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in SERVICE_COLOURS.values()]
    axis.legend(handles, list(SERVICE_COLOURS), loc="lower right", fontsize=7)
    figure.tight_layout()
    return figure
