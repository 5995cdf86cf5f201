"""The matrix: probe everything configured, one row (and one check) per target."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._errors import SecretMissingError
from .._secrets import read_secret
from ..checks import Checks, CheckSpec, Severity
from ._probes import HealthRow, default_subprotocols, probe_http, probe_s3, probe_websocket


@dataclass(frozen=True)
class S3Target:
    """Where the S3 probe goes; credentials are named by environment variable, never given."""

    endpoint: str
    bucket: str
    region: str
    access_key_env: str
    secret_key_env: str


def _probe_s3_target(target: S3Target, budget_s: float) -> HealthRow:
    try:
        access_key = read_secret(target.access_key_env, purpose="S3 access key")
        secret_key = read_secret(target.secret_key_env, purpose="S3 secret key")
    except SecretMissingError as error:
        return HealthRow("s3", f"{target.endpoint} bucket {target.bucket}", False, None, budget_s, str(error))
    return probe_s3(target.endpoint, target.bucket, target.region, str(access_key), str(secret_key), budget_s)


def record(checks: Checks, rows: dict[str, HealthRow]) -> None:
    """One check per row: the row's verdict, its detail and its measurements."""
    for check_id, row in rows.items():
        with checks.run(check_id) as check:
            check.measure(**row.measured)
            check.measure(kind=row.kind, target=row.target, elapsed_s=row.elapsed_s, budget_s=row.budget_s)
            check.expect(row.ok, row.detail)
            check.note(row.detail)


if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


def check_ids(http_urls: Sequence[str], websocket_urls: Sequence[str], s3_endpoint: str) -> dict[str, CheckSpec]:
    """Check id -> declaration, made before probing so a probe that never runs shows as an error."""
    down = "a service the platform depends on is down or slow: start it, or fix its health endpoint"
    checks = {
        f"http-{index}": CheckSpec(
            title=f"HTTP health {url}: 200 JSON within budget",
            service="http endpoints",
            severity=Severity.CRITICAL,
            remedy=down,
            figures=("elapsed_s",),
        )
        for index, url in enumerate(http_urls)
    }
    if s3_endpoint:
        checks["s3"] = CheckSpec(
            title=f"S3 {s3_endpoint}: bucket exists, put/get/delete round trip within budget",
            service="storage",
            severity=Severity.CRITICAL,
            remedy="check the S3 endpoint, the bucket name and the credentials the params name",
            figures=("elapsed_s",),
        )
    checks.update(
        {
            f"ws-{index}": CheckSpec(
                title=f"WebSocket {url}: connect and close within budget",
                service="websocket",
                severity=Severity.CRITICAL,
                remedy=down,
                figures=("connect_s",),
            )
            for index, url in enumerate(websocket_urls)
        }
    )
    return checks


def run_matrix(
    http_urls: Sequence[str],
    websocket_urls: Sequence[str],
    budget_s: float,
    s3: S3Target | None = None,
    *,
    subprotocols: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, HealthRow]:
    """Probe every target; keys match `check_ids`. `subprotocols` maps a WebSocket URL to the
    subprotocols to offer it; an unlisted URL gets `default_subprotocols(url)` (`mcp` for /mcp)."""
    chosen = dict(subprotocols or {})
    rows: dict[str, HealthRow] = {f"http-{index}": probe_http(url, budget_s) for index, url in enumerate(http_urls)}
    if s3 is not None:
        rows["s3"] = _probe_s3_target(s3, budget_s)
    rows.update(
        {
            f"ws-{index}": probe_websocket(url, budget_s, subprotocols=chosen.get(url, default_subprotocols(url)))
            for index, url in enumerate(websocket_urls)
        }
    )
    return rows


def health_frame(rows: dict[str, HealthRow]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "check": check_id,
                "kind": row.kind,
                "target": row.target,
                "ok": row.ok,
                "elapsed_ms": None if row.elapsed_s is None else round(row.elapsed_s * 1000, 2),
                "budget_ms": row.budget_s * 1000,
                "detail": row.detail,
            }
            for check_id, row in rows.items()
        ]
    )


def plot_response_times(rows: dict[str, HealthRow]) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 0.5 + 0.45 * max(len(rows), 1)))
    axes = figure.subplots()
    labels = [f"{row.kind}: {row.target}"[:60] for row in rows.values()]
    # Log scale: health answers take milliseconds while budgets are seconds.
    values = [0.01 if row.elapsed_s is None else max(row.elapsed_s * 1000, 0.01) for row in rows.values()]
    colors = ["#3a923a" if row.ok else "#c0392b" for row in rows.values()]
    axes.barh(labels, values, color=colors)
    budgets = {row.budget_s * 1000 for row in rows.values()}
    for budget in budgets:
        axes.axvline(budget, color="#555", linestyle="--", linewidth=1, label=f"budget {budget:g} ms")
    axes.set_xscale("log")
    axes.set_xlabel("response time (ms, log scale); red = failed; unreachable rows show 0.01")
    axes.invert_yaxis()
    if budgets:
        axes.legend(loc="lower right")
    figure.tight_layout()
    return figure
