"""One probe per kind of endpoint; each measures and judges, none raises for a broken target."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import NegotiationError, WebSocketException
from websockets.typing import Subprotocol

from .._sync import run_sync


@dataclass
class HealthRow:
    kind: str  # http | s3 | websocket
    target: str
    ok: bool
    elapsed_s: float | None
    budget_s: float
    detail: str
    measured: dict[str, Any] = field(default_factory=dict)


def probe_http(url: str, budget_s: float, *, client: httpx.Client | None = None) -> HealthRow:
    """200, a JSON body, and an answer within `budget_s`."""
    own_client = client is None
    http = client or httpx.Client(timeout=max(budget_s * 3, 5.0))
    problems: list[str] = []
    try:
        started = time.perf_counter()
        response = http.get(url)
        elapsed = time.perf_counter() - started
    except httpx.HTTPError as error:
        return HealthRow("http", url, False, None, budget_s, f"unreachable: {type(error).__name__}: {error}")
    finally:
        if own_client:
            http.close()
    if response.status_code != 200:
        problems.append(f"status {response.status_code}, expected 200")
    try:
        body = response.json()
    except (json.JSONDecodeError, ValueError):
        body = None
        problems.append(f"body is not JSON ({response.headers.get('content-type', 'no content-type')})")
    if elapsed > budget_s:
        problems.append(f"answered in {elapsed:.3f} s, over the {budget_s:g} s budget")
    measured = {
        "status_code": response.status_code,
        "elapsed_s": round(elapsed, 6),
        "body_keys": sorted(body)[:10] if isinstance(body, dict) else None,
    }
    detail = "; ".join(problems) or f"200 JSON in {elapsed * 1000:.1f} ms"
    return HealthRow("http", url, not problems, elapsed, budget_s, detail, measured)


def probe_s3(endpoint: str, bucket: str, region: str, access_key: str, secret_key: str, budget_s: float) -> HealthRow:
    """Reachable, bucket exists, and a probe object survives put → get → delete byte for byte."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .._s3 import s3_client

    client = s3_client(
        endpoint_url=endpoint,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
        connect_timeout_s=budget_s * 2,
        read_timeout_s=budget_s * 5,
        max_attempts=1,
    )
    key = f"workbook-health/{uuid.uuid4()}.txt"
    payload = f"workbook health probe {uuid.uuid4()}".encode()
    timings: dict[str, float] = {}
    step = "head_bucket"
    try:
        timings["head_bucket_s"] = _timed(lambda: client.head_bucket(Bucket=bucket))
        step = "put_object"
        timings["put_s"] = _timed(lambda: client.put_object(Bucket=bucket, Key=key, Body=payload))
        step = "get_object"
        fetched: list[bytes] = []
        timings["get_s"] = _timed(lambda: fetched.append(client.get_object(Bucket=bucket, Key=key)["Body"].read()))
        step = "delete_object"
        timings["delete_s"] = _timed(lambda: client.delete_object(Bucket=bucket, Key=key))
    except (ClientError, BotoCoreError) as error:
        return HealthRow(
            "s3",
            f"{endpoint} bucket {bucket}",
            False,
            None,
            budget_s,
            f"{step} failed: {type(error).__name__}: {error}",
            timings,
        )
    elapsed = sum(timings.values())
    problems = []
    if fetched[0] != payload:
        problems.append(f"get returned {len(fetched[0])} bytes that differ from the {len(payload)} put")
    slow = [name for name, seconds in timings.items() if seconds > budget_s]
    if slow:
        problems.append(f"over the {budget_s:g} s budget: {', '.join(slow)}")
    detail = "; ".join(problems) or f"bucket ok; put/get/delete round trip {elapsed * 1000:.1f} ms"
    return HealthRow(
        "s3",
        f"{endpoint} bucket {bucket}",
        not problems,
        elapsed,
        budget_s,
        detail,
        {key: round(value, 6) for key, value in timings.items()},
    )


def probe_websocket(url: str, budget_s: float, *, subprotocols: Sequence[str] = ()) -> HealthRow:
    """Open and cleanly close a WebSocket within `budget_s`, offering `subprotocols`.

    A server that answers a subprotocol that was not offered is up (the handshake completed);
    the row says so as a warning instead of reporting the server as down.
    """
    return run_sync(_probe_websocket(url, budget_s, tuple(subprotocols)), what=f"WebSocket probe of {url}")


def default_subprotocols(url: str) -> tuple[str, ...]:
    """What to offer when nothing is configured for `url`: `mcp` for an MCP endpoint (a path ending
    in /mcp, as the brain service and MCP Python SDK servers use), nothing otherwise."""
    return ("mcp",) if urlsplit(url).path.rstrip("/").endswith("/mcp") else ()


class _UnofferedSubprotocol(Exception):
    def __init__(self, answered: str) -> None:
        self.answered = answered
        super().__init__(f"the server answered subprotocol {answered!r}, which was not offered")


class _RecordingConnection(ClientConnection):
    """Keeps what the server answered when websockets rejects the handshake for its subprotocol."""

    async def handshake(self, *args: Any, **kwargs: Any) -> None:
        try:
            await super().handshake(*args, **kwargs)
        except NegotiationError as error:
            answered = self.response.headers.get("Sec-WebSocket-Protocol") if self.response is not None else None
            if answered is None or "subprotocol" not in str(error):
                raise
            raise _UnofferedSubprotocol(answered) from error


async def _probe_websocket(url: str, budget_s: float, subprotocols: tuple[str, ...]) -> HealthRow:
    offered = [Subprotocol(name) for name in subprotocols] or None
    warning = ""
    negotiated: str | None = None
    started = time.perf_counter()
    try:
        async with asyncio.timeout(budget_s * 3):
            try:
                connection = await connect(
                    url, open_timeout=budget_s * 3, subprotocols=offered, create_connection=_RecordingConnection
                )
            except _UnofferedSubprotocol as unoffered:
                # The opening handshake got its 101 answer: the server is up, it just speaks a
                # subprotocol nobody asked for (an MCP SDK server answers `mcp` regardless).
                connected = elapsed = time.perf_counter() - started
                warning = f"WARNING: {unoffered} (offered: {list(subprotocols) or 'none'})"
            else:
                connected = time.perf_counter() - started
                negotiated = connection.subprotocol
                await connection.close()
                elapsed = time.perf_counter() - started
    except (OSError, TimeoutError, WebSocketException) as error:
        return HealthRow("websocket", url, False, None, budget_s, f"connect failed: {type(error).__name__}: {error}")
    ok = elapsed <= budget_s
    detail = (
        f"connected in {connected * 1000:.1f} ms, closed in {elapsed * 1000:.1f} ms"
        if ok
        else f"connect+close took {elapsed:.3f} s, over the {budget_s:g} s budget"
    )
    if negotiated:
        detail += f" (subprotocol {negotiated})"
    measured: dict[str, Any] = {
        "connect_s": round(connected, 6),
        "connect_close_s": round(elapsed, 6),
        "subprotocols_offered": list(subprotocols),
        "subprotocol": negotiated,
    }
    if warning:
        measured["warning"] = warning
    return HealthRow("websocket", url, ok, elapsed, budget_s, f"{detail}; {warning}" if warning else detail, measured)


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
