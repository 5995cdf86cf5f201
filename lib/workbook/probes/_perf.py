"""Notebook 30's settings (its parameters, validated) and its run: what was measured so far.

`PerfSettings.from_namespace(globals())` takes exactly the notebook's parameters; `PerfRun.open`
validates the targets and starts nothing. Each `probe_*` step measures and keeps its results on
the run; the checks (`_checks`) judge what the run holds, so a check whose measurement never ran
fails as "not measured" rather than passing empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from .. import mcp
from ..notebook import log
from ..runtime import evidence_dir
from ..timing import Count, NonNegativeSeconds, PositiveSeconds
from ._budgets import BudgetOutcome, PerfBudgets, evaluate_http_budgets, evaluate_mcp_budgets
from ._config import HttpTarget, check_url, parse_targets
from ._errors import ProbeSettings
from ._result import ProbeResult, results_table, write_results_json
from ._run import concurrency_sweep, latency_probes
from ._services import BrainEndpoint, brain_endpoint, profile_targets

if TYPE_CHECKING:
    import pandas as pd

NOTEBOOK = "30_perf_probes"
WsLevel = Annotated[int, Field(strict=True, ge=1, le=200)]
Rate = Annotated[float, Field(strict=True, gt=0, le=1_000_000, allow_inf_nan=False)]


class PerfSettings(ProbeSettings):
    """Notebook 30's parameters (the parameters cell holds the defaults and their comments)."""

    loopback_only: bool = True
    services: dict[str, Any] = Field(default_factory=dict)
    http_services: list[str] = Field(default_factory=list)
    http_targets: list[dict[str, Any]] = Field(default_factory=list)
    brain_service: str = ""
    brain_protocol: Literal["", "tool-json", "mcp-jsonrpc", "auto"] = ""
    brain_tools: dict[str, Any] = Field(default_factory=dict)
    brain_admin_url: str = ""
    ws_reconnect_live: bool = False
    ws_top_k: Annotated[int, Field(strict=True, ge=3, le=100)] = 5
    ws_ranking: str = "auto"
    arrival_rate_rps: Rate = 200.0
    latency_duration_s: PositiveSeconds = 10.0
    latency_max_requests: Count = 5000
    latency_connections: Count = 32
    concurrency_levels: list[Count] = Field(default_factory=lambda: [5, 10, 20])
    throughput_duration_s: PositiveSeconds = 5.0
    throughput_max_requests: Count = 100_000
    warmup_s: NonNegativeSeconds = 0.5
    request_timeout_s: PositiveSeconds = 10.0
    ws_concurrency_levels: list[WsLevel] = Field(default_factory=lambda: [1, 5, 10, 20])
    ws_connect_samples: Count = 10
    ws_calls_per_tool: Count = 10
    ws_calls_per_connection: Count = 5
    ws_max_duration_s: PositiveSeconds = 180.0
    shards: Annotated[int, Field(strict=True, ge=1, le=64)] = 1
    dask_scheduler: str = ""
    budgets: PerfBudgets = Field(default_factory=PerfBudgets)

    @field_validator("ws_ranking")
    @classmethod
    def _ranking(cls, value: str) -> str:
        mcp.Ranking.parse(value)
        return value

    @field_validator("brain_tools")
    @classmethod
    def _tools(cls, value: dict[str, Any]) -> dict[str, Any]:
        mcp.BrainTools.with_overrides(mcp.BrainTools(), value)
        return value

    @property
    def endpoint(self) -> BrainEndpoint | None:
        """The brain's WebSocket endpoint from its profile (None: no brain to probe)."""
        return brain_endpoint(self.services, self.brain_service, self.brain_protocol)

    @property
    def ws_url(self) -> str:
        endpoint = self.endpoint
        return endpoint.ws_url if endpoint is not None else ""

    @property
    def brain(self) -> dict[str, Any]:
        """How to reach and speak to the brain, for every `workbook.mcp` call."""
        endpoint = self.endpoint
        return endpoint.options(self.brain_tools) if endpoint is not None else {}

    def all_targets(self) -> list[HttpTarget]:
        """The HTTP targets: each `http_services` profile's health path, then `http_targets`."""
        from_profiles = profile_targets(self.services, self.http_services, loopback_only=self.loopback_only)
        return parse_targets([*from_profiles, *self.http_targets], loopback_only=self.loopback_only)

    @model_validator(mode="after")
    def _urls(self) -> Self:
        self.all_targets()
        if self.ws_url:
            check_url(self.ws_url, loopback_only=self.loopback_only, schemes=("ws", "wss"))
        if self.brain_admin_url:
            check_url(self.brain_admin_url, loopback_only=self.loopback_only)
        return self


@dataclass
class PerfRun:
    """One run of notebook 30: its settings, targets and the measurements taken so far."""

    settings: PerfSettings
    targets: tuple[HttpTarget, ...]
    evidence: Path
    latency: list[ProbeResult] = field(default_factory=list)
    load: list[ProbeResult] = field(default_factory=list)
    mcp_report: mcp.McpProbeReport | None = None
    _functional: dict[str, mcp.FunctionalResult] | None = None

    @classmethod
    def open(cls, settings: PerfSettings, evidence: Path | None = None) -> PerfRun:
        return cls(settings, tuple(settings.all_targets()), evidence or evidence_dir(NOTEBOOK))

    def probe_latency(self) -> pd.DataFrame:
        """The open-loop latency probe of every target, one after the other."""
        s = self.settings
        self.latency = latency_probes(
            self.targets,
            rate_rps=s.arrival_rate_rps,
            duration_s=s.latency_duration_s,
            max_requests=s.latency_max_requests,
            connections=s.latency_connections,
            timeout_s=s.request_timeout_s,
            warmup_s=s.warmup_s,
            loopback_only=s.loopback_only,
            shards=s.shards,
            scheduler=s.dask_scheduler,
        )
        return results_table(self.latency)

    def probe_throughput(self) -> pd.DataFrame:
        """The closed-loop throughput probe of every target at every concurrency level."""
        s = self.settings
        self.load = concurrency_sweep(
            self.targets,
            s.concurrency_levels,
            duration_s=s.throughput_duration_s,
            max_requests=s.throughput_max_requests,
            timeout_s=s.request_timeout_s,
            warmup_s=s.warmup_s,
            loopback_only=s.loopback_only,
            shards=s.shards,
            scheduler=s.dask_scheduler,
        )
        return results_table(self.load)

    def probe_mcp(self) -> pd.DataFrame | str:
        """The MCP probe of `ws_url` (skipped when it is empty: the WebSocket budgets then fail)."""
        s = self.settings
        if not s.ws_url:
            return "brain probe skipped: brain_service is empty"
        self.mcp_report = mcp.probe_mcp(
            s.ws_url,
            **s.brain,
            connect_samples=s.ws_connect_samples,
            calls_per_tool=s.ws_calls_per_tool,
            concurrency_levels=tuple(s.ws_concurrency_levels),
            calls_per_connection=s.ws_calls_per_connection,
            max_duration_s=s.ws_max_duration_s,
            progress=log,
        )
        return self.mcp_report.latency_frame()

    def functional(self, name: str) -> mcp.FunctionalResult:
        """One of the MCP functional checks; all three run once, on one session, when first asked."""
        if self._functional is None:
            s = self.settings
            results = mcp.run_functional_checks(s.ws_url, top_k=s.ws_top_k, ranking=s.ws_ranking, **s.brain)
            self._functional = {result.check: result for result in results}
        return self._functional[name]

    def outcomes(self) -> list[BudgetOutcome]:
        """Every budget judged on what was measured so far (one verdict: `_budgets`)."""
        budgets = self.settings.budgets
        return evaluate_http_budgets(self.latency, self.load, budgets) + evaluate_mcp_budgets(self.mcp_report, budgets)

    def outcome(self, check_id: str) -> BudgetOutcome:
        return next(outcome for outcome in self.outcomes() if outcome.id == check_id)

    def save_evidence(self) -> Path:
        """Every raw figure (histograms HDR-encoded, MCP samples) and the budget rows as probes.json."""
        return write_results_json(
            self.evidence / "probes.json",
            latency=self.latency,
            throughput=self.load,
            mcp=self.mcp_report,
            functional=list((self._functional or {}).values()),
            budgets=[outcome.row() for outcome in self.outcomes()],
        )
