"""One probe per kind of endpoint; each measures and judges, none raises for a broken target.

A row is `ok` (pass), not ok (fail: evidence the service is unwell — a 5xx, a body that says
`degraded` or `unhealthy`, an answer over budget), or carries a `reason` (error: the probe could not
exercise the service — unreachable, credentials refused, no such route).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, NegotiationError, WebSocketException
from websockets.typing import Subprotocol

from ..checks import CouldNotCheck, quote
from ..connect import check_access
from ..runtime import run_sync
from ._body import read_health


@dataclass
class HealthRow:
    kind: str  # http | s3 | websocket
    target: str
    ok: bool
    elapsed_s: float | None
    budget_s: float
    detail: str
    measured: dict[str, Any] = field(default_factory=dict)
    # Set when the probe could not exercise the service: unreachable | auth | dialect | setup.
    reason: str | None = None


def probe_http(
    url: str,
    budget_s: float,
    *,
    client: httpx.Client | None = None,
    words: Mapping[str, str] | None = None,
    warn_fails: bool = True,
    route_setting: str = "",
) -> HealthRow:
    """200, a JSON body whose status words say healthy, and an answer within `budget_s`.

    `words` extends the status word map; `warn_fails` makes a `warn`/`degraded` body fail the row
    (a degraded service is not a healthy one); `route_setting` names where the path is configured.
    """
    own_client = client is None
    http = client or httpx.Client(timeout=max(budget_s * 3, 5.0))
    try:
        started = time.perf_counter()
        response = http.get(url)
        elapsed = time.perf_counter() - started
    except httpx.HTTPError as error:
        return HealthRow(
            "http",
            url,
            False,
            None,
            budget_s,
            f"could not reach {url}: {type(error).__name__}: {error}",
            reason="unreachable",
        )
    finally:
        if own_client:
            http.close()
    measured: dict[str, Any] = {"status_code": response.status_code, "elapsed_s": round(elapsed, 6)}
    body_text = quote(response.text) if response.text else "(empty body)"
    try:
        # The one rule for "the probe did not get through": credentials refused, no such route.
        check_access(response, route_param=route_setting)
    except CouldNotCheck as refused:
        return HealthRow("http", url, False, elapsed, budget_s, refused.message, measured, reason=refused.reason.value)
    problems: list[str] = []
    warnings: list[str] = []
    if response.status_code != 200:
        problems.append(f"status {response.status_code}, expected 200: {body_text}")
    try:
        body = response.json()
    except (json.JSONDecodeError, ValueError):
        body = None
        problems.append(f"body is not JSON ({response.headers.get('content-type', 'no content-type')}): {body_text}")
    reading = read_health(body, words) if body is not None else None
    if reading is not None:
        measured.update(health=reading.verdict, health_words=reading.words, blamed=list(reading.blamed))
        if reading.verdict == "fail" or (reading.verdict == "warn" and warn_fails):
            problems.append(f"the body says the service is not healthy ({reading.verdict}): {reading.words}")
        elif reading.verdict == "warn":
            warnings.append(f"WARNING: the body reports a warning: {reading.words}")
    if elapsed > budget_s:
        blame = f"; the body blames {', '.join(reading.blamed)}" if reading and reading.blamed else ""
        problems.append(f"answered in {elapsed:.3f} s, over the {budget_s:g} s budget{blame}")
    if isinstance(body, dict):
        measured["body_keys"] = sorted(body)[:10]
    words_seen = f" ({reading.words})" if reading and reading.verdict != "unknown" else " (the body names no status)"
    detail = "; ".join(problems) or f"200 JSON in {elapsed * 1000:.1f} ms{words_seen}"
    if warnings and not problems:
        detail += "; " + "; ".join(warnings)
    return HealthRow("http", url, not problems, elapsed, budget_s, detail, measured)


def probe_s3(s3: Any, endpoint: str, bucket: str, budget_s: float) -> HealthRow:
    """Reachable, bucket exists, and a probe object survives put → get → delete byte for byte.
    `s3` is a boto3 client (built from the service profile)."""
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

    key = f"workbook-health/{uuid.uuid4()}.txt"
    payload = f"workbook health probe {uuid.uuid4()}".encode()
    timings: dict[str, float] = {}
    step = "head_bucket"
    target = f"{endpoint} bucket {bucket}"
    try:
        timings["head_bucket_s"] = _timed(lambda: s3.head_bucket(Bucket=bucket))
        step = "put_object"
        timings["put_s"] = _timed(lambda: s3.put_object(Bucket=bucket, Key=key, Body=payload))
        step = "get_object"
        fetched: list[bytes] = []
        timings["get_s"] = _timed(lambda: fetched.append(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
        step = "delete_object"
        timings["delete_s"] = _timed(lambda: s3.delete_object(Bucket=bucket, Key=key))
    except EndpointConnectionError as error:
        return HealthRow(
            "s3", target, False, None, budget_s, f"could not reach {endpoint}: {error}", timings, reason="unreachable"
        )
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        reason = (
            "auth"
            if status in (401, 403) or code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied")
            else None
        )
        return HealthRow(
            "s3", target, False, None, budget_s, f"{step} failed: {code or status}: {error}", timings, reason=reason
        )
    except BotoCoreError as error:
        return HealthRow(
            "s3",
            target,
            False,
            None,
            budget_s,
            f"{step} failed: {type(error).__name__}: {error}",
            timings,
            reason="unreachable",
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
        "s3", target, not problems, elapsed, budget_s, detail, {key: round(value, 6) for key, value in timings.items()}
    )


def probe_websocket(
    url: str,
    budget_s: float,
    *,
    subprotocols: Sequence[str] = (),
    connect_kwargs: Mapping[str, Any] | None = None,
) -> HealthRow:
    """Open and cleanly close a WebSocket within `budget_s`, offering `subprotocols`.

    The opening handshake and the closing handshake are told apart: a server that accepted the
    connection but never answered the close is up (the row says so as a warning), not "connect
    failed". A server answering a subprotocol that was not offered is up too, with a warning.
    """
    return run_sync(
        _probe_websocket(url, budget_s, tuple(subprotocols), dict(connect_kwargs or {})),
        what=f"WebSocket probe of {url}",
    )


def default_subprotocols(url: str) -> tuple[str, ...]:
    """What to offer when nothing is configured for `url`: `mcp` for an MCP endpoint (a path ending
    in /mcp, as MCP Python SDK servers use), nothing otherwise."""
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


async def _probe_websocket(
    url: str, budget_s: float, subprotocols: tuple[str, ...], connect_kwargs: dict[str, Any]
) -> HealthRow:
    offered = [Subprotocol(name) for name in subprotocols] or None
    warnings: list[str] = []
    negotiated: str | None = None
    close_answered: bool | None = None
    connect_kwargs.setdefault("open_timeout", budget_s * 3)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(budget_s * 3 + 1):
            connection = await connect(
                url,
                subprotocols=offered,
                create_connection=_RecordingConnection,
                close_timeout=budget_s,
                **connect_kwargs,
            )
    except _UnofferedSubprotocol as unoffered:
        # The opening handshake got its 101 answer: the server is up, it speaks a subprotocol nobody asked for.
        connected = elapsed = time.perf_counter() - started
        warnings.append(f"WARNING: {unoffered} (offered: {list(subprotocols) or 'none'})")
    except InvalidStatus as refused:
        status = refused.response.status_code
        body = quote(refused.response.body.decode(errors="replace")) if refused.response.body else "(no body)"
        reason = "auth" if status in (401, 403) else "dialect" if status in (404, 405) else None
        detail = f"handshake answered HTTP {status}: {body}"
        return HealthRow("websocket", url, False, None, budget_s, detail, {"status_code": status}, reason=reason)
    except (OSError, TimeoutError, WebSocketException) as error:
        detail = f"could not open the connection: {type(error).__name__}: {error}"
        return HealthRow("websocket", url, False, None, budget_s, detail, reason="unreachable")
    else:
        connected = time.perf_counter() - started
        negotiated = connection.subprotocol
        await connection.close()
        elapsed = time.perf_counter() - started
        # websockets waits close_timeout for the server's close frame, then drops the connection.
        close_answered = connection.protocol.close_rcvd is not None
        if not close_answered:
            warnings.append(
                "WARNING: the handshake succeeded but the server did not answer the close handshake "
                f"within {budget_s:g} s"
            )
    ok = connected <= budget_s
    detail = (
        f"handshake ok in {connected * 1000:.1f} ms"
        + (f", closed in {elapsed * 1000:.1f} ms" if close_answered else "")
        if ok
        else f"the handshake took {connected:.3f} s, over the {budget_s:g} s budget"
    )
    if negotiated:
        detail += f" (subprotocol {negotiated})"
    measured: dict[str, Any] = {
        "connect_s": round(connected, 6),
        "connect_close_s": round(elapsed, 6),
        "close_answered": close_answered,
        "subprotocols_offered": list(subprotocols),
        "subprotocol": negotiated,
    }
    if warnings:
        measured["warning"] = "; ".join(warnings)
        detail += "; " + "; ".join(warnings)
    return HealthRow("websocket", url, ok, connected, budget_s, detail, measured)


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
