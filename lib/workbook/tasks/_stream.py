"""Judging one followed task: what its WebSocket stream of whole records and its HTTP record show.

Whole records without sequence numbers cannot show a lost intermediate update (any record may be
dropped and the next one looks the same), nor tell a repeated record from a re-sent one; progress
may go back in this dialect (each attempt restarts its count). What can be judged: the handshake,
that every record speaks the dialect's state words, that the terminal record arrives over the
WebSocket when HTTP says the task ended, and that both agree. Records are put in time order by
their own `updated_at` for the timeline; arrivals out of that order are counted, not failed (the
snapshot may be newer than an update queued behind it).
"""

from __future__ import annotations

import itertools
from typing import Any

from ..connect import not_speaking
from ._client import Follow
from ._dialect import TERMINAL, TaskDialect


def stream_problems(dialect: TaskDialect, follow: Follow, *, timeout_s: float, grace_s: float) -> list[str]:
    if follow.foreign:
        raise not_speaking(follow.ws_url or f"the WebSocket of task {follow.task_id}", dialect.name, follow.foreign[0])
    problems = []
    if follow.handshake != "101":
        problems.append(f"the WebSocket handshake answered {follow.handshake or follow.ws_error or 'nothing'}")
    elif not follow.records:
        problems.append("the WebSocket sent no record of the task (not even the snapshot)")
    unknown = sorted({str(dialect.field(r, "status")) for r in follow.records if dialect.state(r) == "unknown"})
    if unknown:
        problems.append(f"records carry status words this dialect does not know: {unknown}")
    if follow.timed_out and follow.final_state not in TERMINAL:
        problems.append(
            f"task {follow.task_id} did not end within {timeout_s:g} s: its record still says "
            f"{dialect.field(follow.final, 'status')!r} at progress {dialect.field(follow.final, 'progress')}"
        )
    if follow.ws_missed_terminal and follow.handshake == "101":
        problems.append(
            f"task {follow.task_id} ended {dialect.field(follow.final, 'status')!r} over HTTP, but the WebSocket never "
            f"delivered that record within {grace_s:g} s ({len(follow.records)} records, "
            f"{follow.heartbeats} heartbeats {_closed(follow)})"
        )
    if follow.ws_terminal and follow.records and dialect.state(follow.records[-1]) != follow.final_state:
        problems.append(
            f"the WebSocket's terminal record says {dialect.field(follow.records[-1], 'status')!r}, "
            f"HTTP says {dialect.field(follow.final, 'status')!r}"
        )
    return problems


def _closed(follow: Follow) -> str:
    return f"then closed {follow.server_closed}" if follow.server_closed else "and still open"


def stream_facts(dialect: TaskDialect, follow: Follow) -> dict[str, Any]:
    times = [str(dialect.field(r, "updated") or dialect.field(r, "created") or "") for r in follow.records]
    out_of_order = sum(1 for earlier, later in itertools.pairwise(times) if later and earlier > later)
    progress = [dialect.field(r, "progress") for r in follow.records]
    went_back = sum(1 for a, b in itertools.pairwise(progress) if isinstance(a, int) and isinstance(b, int) and b < a)
    return {
        "records": len(follow.records),
        "heartbeats": follow.heartbeats,
        "statuses": list(dict.fromkeys(str(dialect.field(r, "status")) for r in follow.records)),
        "progress_went_back": went_back,
        "arrived_out_of_time_order": out_of_order,
        "closed_by": "client after terminal" if follow.ws_terminal else (follow.server_closed or "not closed"),
    }


def phases(dialect: TaskDialect, follow: Follow) -> dict[str, float]:
    """Seconds from creation to the first running record and to the terminal one (records' own clock)."""
    from datetime import datetime

    def at(record: dict[str, Any], name: str) -> float | None:
        value = dialect.field(record, name)
        try:
            return datetime.fromisoformat(str(value)).timestamp() if value else None
        except ValueError:
            return None

    created = at(follow.final, "created")
    running = [at(r, "updated") for r in follow.records if dialect.state(r) == "running"]
    end = at(follow.final, "updated")
    out: dict[str, float] = {}
    if created is not None and running and running[0] is not None:
        out["queue_wait_s"] = round(running[0] - created, 3)
    if created is not None and end is not None and follow.final_state in TERMINAL:
        out["total_s"] = round(end - created, 3)
    return out
