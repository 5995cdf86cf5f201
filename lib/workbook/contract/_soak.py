"""Sequential soak: N requests one after another, each with a timeout, over one keep-alive
connection and over a fresh connection per request, to find where a server stops answering.

`run_series` is pure control flow over a `send(index) -> Exchange` seam, so the stall/reset logic
is tested without a network; `soak_endpoint` builds the real senders on httpx. The first answer of
each series goes through the plan's `gate` (`StudioDialect.reached`): a refused credential or a
missing route ends the soak as could-not-check before it counts a single non-2xx.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import pandas as pd

from ._client import Exchange, StudioClient, exchange
from ._samples import png

MODES = ("keep-alive", "fresh")
SOAK_IMAGE = png(32, 32, seed=3)
RESET_ERRORS = ("RemoteProtocolError", "ReadError", "WriteError", "ConnectError", "ConnectionReset")


def outcome(answer: Exchange) -> str:
    """`ok`, `http_error` (answered, not 2xx), `stall` (timed out), `reset` (connection dropped) or `error`."""
    if answer.status is not None:
        return "ok" if answer.ok else "http_error"
    if "Timeout" in answer.error:
        return "stall"
    if answer.error.startswith(RESET_ERRORS):
        return "reset"
    return "error"


@dataclass(frozen=True)
class Sample:
    index: int  # 1-based request number within its series
    outcome: str
    status: int | None
    latency_s: float
    client_addr: str
    detail: str


@dataclass
class Series:
    endpoint: str
    mode: str
    planned: int
    samples: list[Sample] = field(default_factory=list)
    stopped: str = ""  # why the series ended before `planned`, if it did

    @property
    def first_failure(self) -> Sample | None:
        """The first request that stalled or was reset (the server stopped responding there)."""
        return next((s for s in self.samples if s.outcome in ("stall", "reset", "error")), None)

    @property
    def connections(self) -> int:
        return len({s.client_addr for s in self.samples if s.client_addr})

    def latencies_ms(self) -> np.ndarray:
        return np.array([s.latency_s * 1000 for s in self.samples if s.outcome in ("ok", "http_error")])

    def percentiles(self) -> dict[str, float]:
        values = self.latencies_ms()
        if values.size == 0:
            return {}
        p50, p95, p99 = np.percentile(values, [50, 95, 99])
        return {"p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99), "max_ms": float(values.max())}

    def count(self, kind: str) -> int:
        return sum(1 for s in self.samples if s.outcome == kind)

    def problems(self) -> tuple[list[str], list[str]]:
        """(the server stopped answering, requests answered non-2xx): two defects, two fixes."""
        label = f"{self.mode} {self.endpoint}"
        stalled, answered = [], []
        failure = self.first_failure
        if failure is not None:
            count = failure.index - 1
            where = f"stopped responding after request {count}" if count else "did not answer request 1"
            stalled.append(f"{label}: server {where} (request {failure.index} {failure.outcome}: {failure.detail})")
        errors = [s for s in self.samples if s.outcome == "http_error"]
        if errors:
            first = errors[0]
            answered.append(
                f"{label}: {len(errors)} of {len(self.samples)} answered non-2xx "
                f"(first: request {first.index}: {first.detail})"
            )
        return stalled, answered


def run_series(
    send: Callable[[int], Exchange],
    *,
    endpoint: str,
    mode: str,
    requests: int,
    max_stalls: int,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
) -> Series:
    """Send up to `requests` requests in order; stop after `max_stalls` failures in a row or at `deadline`."""
    series = Series(endpoint, mode, requests)
    in_a_row = 0
    for index in range(1, requests + 1):
        if clock() >= deadline:
            series.stopped = f"time budget reached after {index - 1} requests"
            break
        answer = send(index)
        kind = outcome(answer)
        series.samples.append(Sample(index, kind, answer.status, answer.elapsed_s, answer.client_addr, answer.brief()))
        in_a_row = in_a_row + 1 if kind in ("stall", "reset", "error") else 0
        if in_a_row >= max_stalls:
            series.stopped = f"stopped after {in_a_row} failed requests in a row"
            break
    return series


@dataclass(frozen=True)
class SoakPlan:
    """What one soak sends: per endpoint (method, path, a body maker), the bounds."""

    routes: dict[str, tuple[str, str]]
    upload_field: str
    requests: int
    timeout_s: float
    max_stalls: int
    max_s: float
    # (endpoint, first answer) -> the answer, or raises CouldNotCheck when it never reached the platform.
    gate: Callable[[str, Exchange], Exchange] | None = None


def request_for(plan: SoakPlan, client: StudioClient, endpoint: str, index: int) -> tuple[str, str, dict[str, Any]]:
    """(method, url, httpx keyword arguments) of soak request `index` to `endpoint`."""
    method, path = plan.routes[endpoint]
    url = client.absolute(path)
    if endpoint == "text_to_image":
        return method, url, {"json": {"prompt": f"soak request {index}"}}
    if endpoint == "upload":
        return method, url, {"files": {plan.upload_field: (f"soak{index}.png", SOAK_IMAGE, "image/png")}}
    return method, url, {}


@dataclass(frozen=True)
class Reuse:
    """Whether two requests on one keep-alive client shared a connection, and what says why not."""

    reused: bool
    addresses: tuple[str, str]
    connection_header: str

    def note(self) -> str:
        if self.reused:
            return f"connections are reused (both requests from {self.addresses[0]})"
        why = (
            f"the server answers Connection: {self.connection_header}" if self.connection_header else "no reason given"
        )
        first, second = self.addresses
        return f"the server does not keep connections alive ({why}; local addresses {first} then {second})"


def connection_reuse(
    client: StudioClient, path: str, timeout_s: float, gate: Callable[[Exchange], Exchange] | None = None
) -> Reuse:
    """Two GETs over one keep-alive client: the same local address means the connection was reused."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with client.new_http(timeout=timeout_s, limits=limits) as http:
        first = exchange(http, "GET", client.absolute(path))
        if gate is not None:
            gate(first)
        second = exchange(http, "GET", client.absolute(path))
    same = bool(first.client_addr) and first.client_addr == second.client_addr
    return Reuse(same, (first.client_addr, second.client_addr), first.headers.get("connection", ""))


def soak_endpoint(client: StudioClient, plan: SoakPlan, endpoint: str, mode: str, *, deadline: float) -> Series:
    """One series against a real server: keep-alive shares one connection, fresh closes it every time."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1 if mode == "keep-alive" else 0)
    headers = {} if mode == "keep-alive" else {"connection": "close"}
    with client.new_http(timeout=plan.timeout_s, limits=limits, headers=headers) as http:
        return run_series(
            lambda index: _send(http, plan, client, endpoint, index),
            endpoint=endpoint,
            mode=mode,
            requests=plan.requests,
            max_stalls=plan.max_stalls,
            deadline=deadline,
        )


def _send(http: httpx.Client, plan: SoakPlan, client: StudioClient, endpoint: str, index: int) -> Exchange:
    method, url, kwargs = request_for(plan, client, endpoint, index)
    answer = exchange(http, method, url, **kwargs)
    return plan.gate(endpoint, answer) if plan.gate is not None and index == 1 else answer


def soak(
    client: StudioClient, plan: SoakPlan, endpoints: Sequence[str], *, modes: Sequence[str] = MODES
) -> list[Series]:
    deadline = time.monotonic() + plan.max_s
    return [soak_endpoint(client, plan, endpoint, mode, deadline=deadline) for endpoint in endpoints for mode in modes]


def summary(series: Sequence[Series]) -> pd.DataFrame:
    rows = []
    for item in series:
        failure = item.first_failure
        rows.append(
            {
                "endpoint": item.endpoint,
                "mode": item.mode,
                "sent": len(item.samples),
                "planned": item.planned,
                "ok": item.count("ok"),
                "non_2xx": item.count("http_error"),
                "stalls": item.count("stall"),
                "resets": item.count("reset") + item.count("error"),
                "first_failure": failure.index if failure else None,
                "connections": item.connections,
                **{key: round(value, 2) for key, value in item.percentiles().items()},
                "stopped": item.stopped,
            }
        )
    return pd.DataFrame(rows)


def samples_frame(series: Sequence[Series]) -> pd.DataFrame:
    rows = [
        {"endpoint": item.endpoint, "mode": item.mode, **sample.__dict__} for item in series for sample in item.samples
    ]
    return pd.DataFrame(
        rows, columns=["endpoint", "mode", "index", "outcome", "status", "latency_s", "client_addr", "detail"]
    )
