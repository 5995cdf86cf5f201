"""Stage 4: reconnecting. A sequence of calls that reconnects (and re-handshakes) whenever the
server drops the connection; a call lost to a drop counts as failed. A run without a drop says
`exercised == False`: reconnecting was then not tested, which is never reported as a pass."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ._brain import BrainSession
from ._errors import McpConnectionClosedError, McpError, error_kind
from ._results import ReconnectResult
from ._settings import ConnectionSettings
from ._stage import DEADLINE, Deadline, Tally, counts, fill, open_session


async def reconnect(
    settings: ConnectionSettings,
    calls: int,
    tool: str,
    arguments: Mapping[str, Any],
    max_reconnects: int,
    deadline: Deadline,
) -> ReconnectResult:
    reconnect = Tally()
    errors: list[str] = []
    succeeded = drops = failed_reconnects = 0
    before_drop: list[int] = []
    started = time.perf_counter()
    client: BrainSession | None = None
    try:
        try:
            client = await open_session(settings)
        except McpError as error:
            errors.append(f"initial_{error_kind(error)}")
        for i in range(calls):
            if deadline.passed:
                errors.append(DEADLINE)
                continue
            if client is not None and client.closed:
                # The server closed the connection between two calls.
                drops += 1
                before_drop.append(client.messages_sent)
                await client.close()
                client = None
            if client is None:
                if len(reconnect.samples) + failed_reconnects >= max_reconnects:
                    errors.append("reconnect_limit")
                    continue
                t0 = time.perf_counter()
                try:
                    client = await open_session(settings)
                except McpError as error:
                    failed_reconnects += 1
                    reconnect.errors.append(error_kind(error))
                    errors.append(f"reconnect_{error_kind(error)}")
                    continue
                reconnect.samples.append(time.perf_counter() - t0)
            try:
                await client.call_tool(tool, fill(arguments, i))
            except McpConnectionClosedError:
                drops += 1
                before_drop.append(client.messages_sent)
                errors.append("connection_closed")
                await client.close()
                client = None
            except McpError as error:
                errors.append(error_kind(error))
            else:
                succeeded += 1
    finally:
        if client is not None:
            await client.close()
    return ReconnectResult(
        calls,
        succeeded,
        drops,
        len(reconnect.samples),
        failed_reconnects,
        tuple(before_drop),
        reconnect.summary("reconnect + handshake"),
        counts(errors),
        time.perf_counter() - started,
    )
