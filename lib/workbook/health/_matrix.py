"""The matrix: one row (and one check) per health target of every service profile.

Targets come from the params file's `services:` section: each path in a profile's `health:` list
(read with its body), a WebSocket handshake for each profile with a `ws_url`, and the S3 round
trip for the storage profile (auth kind `aws`) when a bucket is given. Each row is probed with
the profile's own connection (auth, headers, TLS, timeouts), so a service that wants a key gets it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..checks import Checks, CheckSpec, Severity
from ..connect import ServiceProfile, service_profiles
from ._probes import HealthRow, default_subprotocols, probe_http, probe_s3, probe_websocket

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class HealthTarget:
    check_id: str
    kind: str  # http | websocket | s3
    service: str
    url: str
    setting: str  # where the target is configured, for messages


def health_targets(services: Mapping[str, Any], *, s3_bucket: str = "") -> list[HealthTarget]:
    """Every target the profiles name, in profile order; check ids are stable per service."""
    targets: list[HealthTarget] = []
    for name, profile in service_profiles(services).items():
        for index, path in enumerate(profile.health):
            if path.startswith(("ws://", "wss://")):
                targets.append(HealthTarget(f"ws-{name}-{index}", "websocket", name, path, f"services.{name}.health"))
            else:
                url = profile.http_url(path)
                targets.append(HealthTarget(f"http-{name}-{index}", "http", name, url, f"services.{name}.health"))
        if profile.ws_url:
            targets.append(HealthTarget(f"ws-{name}", "websocket", name, profile.ws_url, f"services.{name}.ws_url"))
        if s3_bucket and profile.auth is not None and profile.auth.kind == "aws":
            targets.append(HealthTarget(f"s3-{name}", "s3", name, profile.url, f"services.{name}"))
    return targets


def check_ids(targets: Sequence[HealthTarget]) -> dict[str, CheckSpec]:
    """Check id -> declaration, made before probing so a probe that never runs shows as an error."""
    titles = {
        "http": "HTTP health {url}: 200 JSON saying healthy, within budget",
        "websocket": "WebSocket {url}: handshake within budget",
        "s3": "S3 {url}: bucket exists, put/get/delete round trip within budget",
    }
    return {
        target.check_id: CheckSpec(
            title=titles[target.kind].format(url=target.url),
            service=target.service,
            severity=Severity.CRITICAL,
            figures=("connect_s",) if target.kind == "websocket" else ("elapsed_s",),
        )
        for target in targets
    }


def run_matrix(
    targets: Sequence[HealthTarget],
    services: Mapping[str, Any],
    budget_s: float,
    *,
    s3_bucket: str = "",
    words: Mapping[str, str] | None = None,
    warn_fails: bool = True,
    subprotocols: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, HealthRow]:
    """Probe every target with its profile's connection; keys match `check_ids`. `subprotocols` maps a
    WebSocket URL to the subprotocols to offer; an unlisted URL gets `default_subprotocols(url)`."""
    profiles = service_profiles(services)
    rows: dict[str, HealthRow] = {}
    for target in targets:
        profile = profiles[target.service]
        rows[target.check_id] = _probe(
            target, profile, budget_s, s3_bucket, words, warn_fails, dict(subprotocols or {})
        )
    return rows


def _probe(
    target: HealthTarget,
    profile: ServiceProfile,
    budget_s: float,
    s3_bucket: str,
    words: Mapping[str, str] | None,
    warn_fails: bool,
    subprotocols: dict[str, Sequence[str]],
) -> HealthRow:
    from ..errors import SecretMissingError

    try:
        if target.kind == "http":
            with profile.http_client(timeout=max(budget_s * 3, profile.connect_timeout_s)) as client:
                return probe_http(
                    target.url,
                    budget_s,
                    client=client,
                    words=words,
                    warn_fails=warn_fails,
                    route_setting=target.setting,
                )
        if target.kind == "websocket":
            offered = subprotocols.get(target.url, default_subprotocols(target.url))
            return probe_websocket(
                target.url, budget_s, subprotocols=offered, connect_kwargs=profile.ws_connect_kwargs(target.url)
            )
        return probe_s3(_s3_client(profile, budget_s), profile.url, s3_bucket, budget_s)
    except SecretMissingError as error:
        return HealthRow(target.kind, target.url, False, None, budget_s, str(error), reason="setup")


def _s3_client(profile: ServiceProfile, budget_s: float) -> Any:
    from ..connect import s3_client

    assert profile.auth is not None  # health_targets only makes s3 rows for aws profiles
    return s3_client(
        endpoint_url=profile.url,
        region=profile.region or "us-east-1",
        access_key=profile.auth.username(),
        secret_key=profile.auth.secret(),
        connect_timeout_s=budget_s * 2,
        read_timeout_s=budget_s * 5,
        max_attempts=1,
    )


def record(checks: Checks, rows: dict[str, HealthRow]) -> None:
    """One check per row: pass, fail on evidence, or error with the reason the probe could not get through."""
    for check_id, row in rows.items():
        with checks.run(check_id) as check:
            check.measure(**row.measured)
            check.measure(kind=row.kind, target=row.target, elapsed_s=row.elapsed_s, budget_s=row.budget_s)
            if row.reason:
                check.could_not_check(row.reason, row.detail)
            check.expect(row.ok, row.detail)
            check.note(row.detail)


def health_frame(rows: dict[str, HealthRow]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "check": check_id,
                "kind": row.kind,
                "target": row.target,
                "verdict": "error/" + row.reason if row.reason else "pass" if row.ok else "fail",
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
    colors = ["#999999" if row.reason else "#3a923a" if row.ok else "#c0392b" for row in rows.values()]
    axes.barh(labels, values, color=colors)
    budgets = {row.budget_s * 1000 for row in rows.values()}
    for budget in budgets:
        axes.axvline(budget, color="#555", linestyle="--", linewidth=1, label=f"budget {budget:g} ms")
    axes.set_xscale("log")
    axes.set_xlabel("response time (ms, log scale); red = failed, grey = could not check (0.01 when no answer)")
    axes.invert_yaxis()
    if budgets:
        axes.legend(loc="lower right")
    figure.tight_layout()
    return figure
