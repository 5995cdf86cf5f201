"""Stage 1: sequential connection attempts (the WebSocket opening handshake, timed)."""

from __future__ import annotations

from ._errors import McpError, error_kind
from ._results import LatencySummary
from ._settings import ConnectionSettings
from ._stage import DEADLINE, Deadline, Tally, open_client


async def connect_samples(settings: ConnectionSettings, count: int, deadline: Deadline) -> LatencySummary:
    """`count` connections opened and closed one after the other; each open is one sample."""
    tally = Tally()
    for _ in range(count):
        if deadline.passed:
            tally.errors.append(DEADLINE)
            continue
        try:
            client = await open_client(settings)
        except McpError as error:
            tally.errors.append(error_kind(error))
            continue
        tally.samples.append(client.connect_s)
        await client.close()
    return tally.summary("connect")
