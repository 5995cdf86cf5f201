"""Stage 3: the concurrency sweep. Each level opens N connections at once, handshakes each (where
the dialect has a handshake), then runs N x `calls_per_connection` concurrent tool-call round trips.

The probe watches its own event loop during the level with the shared self-monitor of
`workbook.timing` (CPU share of the probe thread, loop lag), so a level whose figures describe
the probe's own limit is marked client-bound; a level too short for a lag figure to mean
anything is reported as too short to judge.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..timing import ClientBoundThresholds, SelfMonitor
from ._brain import BrainSession
from ._errors import McpConnectionClosedError, McpError, error_kind
from ._results import ConcurrencyLevel
from ._settings import ConnectionSettings
from ._stage import DEADLINE, Tally, counts, fill, handshake, open_client


@dataclass
class _Level:
    """What the workers of one level record, shared by all of them (one event loop, no locks)."""

    connections: int
    calls_per_connection: int
    connect: Tally = field(default_factory=Tally)
    rtt: Tally = field(default_factory=Tally)
    errors: list[str] = field(default_factory=list)
    clients: list[BrainSession] = field(default_factory=list)
    succeeded: int = 0
    ready: int = 0
    all_ready: asyncio.Event = field(default_factory=asyncio.Event)

    def arrived(self) -> None:
        self.ready += 1
        if self.ready == self.connections:
            self.all_ready.set()


async def _worker(
    level: _Level, settings: ConnectionSettings, tool_calls: Mapping[str, Mapping[str, Any]], index: int
) -> None:
    names = list(tool_calls)
    accounted = 0  # planned calls whose fate is already recorded
    counted_in = False

    def fail_rest(kind: str) -> None:
        nonlocal accounted
        level.errors.extend([kind] * (level.calls_per_connection - accounted))
        accounted = level.calls_per_connection

    try:
        try:
            client = await open_client(settings)
        except McpError as error:
            level.connect.errors.append(error_kind(error))
            fail_rest(error_kind(error))
            return
        level.clients.append(client)
        level.connect.samples.append(client.connect_s)
        try:
            await handshake(client, settings.protocol_version)
        except McpError:
            fail_rest("handshake_failed")
            return
        # Calls start only when every connection of the level is ready: they are concurrent.
        counted_in = True
        level.arrived()
        await level.all_ready.wait()
        for i in range(level.calls_per_connection):
            name = names[(index + i) % len(names)]
            try:
                call = await client.call_tool(name, fill(tool_calls[name], index * 1000 + i))
            except McpError as error:
                accounted += 1
                level.errors.append(error_kind(error))
                level.rtt.errors.append(error_kind(error))
                if isinstance(error, McpConnectionClosedError):
                    fail_rest("connection_closed")
                    return
            else:
                accounted += 1
                level.succeeded += 1
                level.rtt.samples.append(call.latency_s)
    except asyncio.CancelledError:
        fail_rest(DEADLINE)
        raise
    finally:
        if not counted_in:
            # A connection that failed early must not hold the others back.
            level.arrived()


async def run_level(
    settings: ConnectionSettings,
    connections: int,
    calls_per_connection: int,
    tool_calls: Mapping[str, Mapping[str, Any]],
    level_timeout_s: float,
    thresholds: ClientBoundThresholds | None = None,
) -> ConcurrencyLevel:
    level = _Level(connections, calls_per_connection)
    monitor = SelfMonitor(thresholds or ClientBoundThresholds(), judge_cpu=True)
    started = time.perf_counter()
    monitor.start()
    tasks = [asyncio.create_task(_worker(level, settings, tool_calls, i)) for i in range(connections)]
    _, pending = await asyncio.wait(tasks, timeout=level_timeout_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    wall = time.perf_counter() - started
    selfcheck = await monitor.finish()
    await asyncio.gather(*(client.close() for client in level.clients), return_exceptions=True)
    return ConcurrencyLevel(
        connections,
        len(level.clients),
        connections * calls_per_connection,
        level.succeeded,
        level.connect.summary(f"connect x{connections}"),
        level.rtt.summary(f"tools/call x{connections}"),
        counts(level.errors),
        wall,
        bool(pending),
        selfcheck,
    )
