"""Notebook 30's checks: one per budget of the seed's table, the probes' own trustworthiness, and
the brain service's MCP behaviour in the seed's words, as functions of (check context, run).

The notebook wraps each in `with checks.run(<id>) as c:`. Budget checks judge what the run
measured (`_budgets`, the one verdict); the MCP checks read the probe's recorded exchanges or run
their own session (`workbook.mcp`). A problem text names the defect it found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .. import connect, mcp
from ..checks import CheckContext, CheckSpec, CouldNotCheck, Severity
from ..sandbox import set_faults
from ._budgets import BUDGET_TITLES, record_budget
from ._perf import PerfRun
from ._result import ProbeResult

SELF_CHECK_ID = "probe_self_check"
# A client delay this share of the latency budget or more could change a verdict.
MATERIAL_FRACTION = 0.1
# With the sandbox's drop switch at 6 messages, 20 calls see several drops and reconnects.
DROP_AFTER_MESSAGES = 6
RECONNECT_CALLS = 20

# Service names are the params' profile names (the report's vocabulary): notebook 30 judges the brain.
_BRAIN = "brain"
_HTTP = _BRAIN
CHECKS: dict[str, CheckSpec] = {
    "budget_health_response": CheckSpec(
        title=BUDGET_TITLES["budget_health_response"],
        service=_HTTP,
        severity=Severity.MAJOR,
        remedy="a health endpoint is slower than the seed's 2 s budget: see the latency table and timeline",
        figures=("measured",),
    ),
    "budget_http_success": CheckSpec(
        title=BUDGET_TITLES["budget_http_success"],
        service=_HTTP,
        severity=Severity.CRITICAL,
        remedy="requests failed under load: see the errors column of the throughput table",
    ),
    "budget_ws_connect": CheckSpec(
        title=BUDGET_TITLES["budget_ws_connect"],
        service=_BRAIN,
        severity=Severity.MAJOR,
        remedy="opening the brain's WebSocket is slower than 2 s: check the service and anything in front of it",
        figures=("measured",),
    ),
    "budget_ws_round_trip": CheckSpec(
        title=BUDGET_TITLES["budget_ws_round_trip"],
        service=_BRAIN,
        severity=Severity.MAJOR,
        remedy="tool calls take longer than 5 s: see the latency frame for the slow tool",
        figures=("measured",),
    ),
    "budget_ws_success": CheckSpec(
        title=BUDGET_TITLES["budget_ws_success"],
        service=_BRAIN,
        severity=Severity.CRITICAL,
        remedy="tool calls failed with few connections: the errors by kind say how",
    ),
    "budget_embedding": CheckSpec(
        title=BUDGET_TITLES["budget_embedding"],
        service=_BRAIN,
        severity=Severity.MAJOR,
        remedy="create_character (embedding generation) is slower than 15 s",
    ),
    SELF_CHECK_ID: CheckSpec(
        title="the probes' own delays (client-bound episodes) are too small to change a budget verdict",
        service=_BRAIN,
        severity=Severity.MINOR,
        remedy="re-run on a quieter machine or with a lower arrival rate; the figures include probe overhead",
    ),
    "mcp_tools_listed": CheckSpec(
        title="Tools present with their arguments (create_character, find_similar_characters)",
        service=_BRAIN,
        severity=Severity.CRITICAL,
        remedy="both tools must take (and, in tool-json, name when missing) their arguments, project_id included",
    ),
    "mcp_tool_execution": CheckSpec(
        title="Tool execution (create_character, find_similar_characters): a created character is found first",
        service=_BRAIN,
        severity=Severity.CRITICAL,
        remedy="find_similar_characters must rank a character first for its own personality, best first",
    ),
    "mcp_invalid_tool_calls": CheckSpec(
        title="Invalid tool calls properly rejected; missing parameters trigger appropriate errors",
        service=_BRAIN,
        severity=Severity.MAJOR,
        remedy="an unknown tool or bad arguments must get an error reply (tool-json) or a JSON-RPC error / isError"
        " result (MCP), never success",
    ),
    "mcp_error_cases": CheckSpec(
        title="Protocol-compliant message exchange: the dialect's error cases answered as it prescribes",
        service=_BRAIN,
        severity=Severity.MAJOR,
        remedy="tool-json: every frame needs one error reply; MCP: the JSON-RPC error codes (or no reply)",
    ),
    "mcp_project_isolation": CheckSpec(
        title="Project-based data isolation: a search never returns another project's characters",
        service=_BRAIN,
        severity=Severity.CRITICAL,
        remedy="find_similar_characters must search only the project it is given",
    ),
    "mcp_reconnect": CheckSpec(
        title="Connection re-establishment after failures: a client reconnects after a drop and goes on",
        service=_BRAIN,
        severity=Severity.MAJOR,
        remedy="after a dropped connection a new one must open, handshake and serve tool calls",
    ),
}


MCP_BUDGETS = ("budget_ws_connect", "budget_ws_round_trip", "budget_ws_success", "budget_embedding")


def could_not_check(c: CheckContext, reason: str, message: str, evidence: Mapping[str, Any]) -> None:
    """End the check `error` with a reason class: the brain was not exercised (never `fail`). A
    reply in another envelope is the one verdict of `connect.not_speaking`, its frames as evidence."""
    c.measure(evidence=dict(evidence))
    if reason == "dialect" and "frame" in evidence:
        raise connect.not_speaking(evidence["url"], evidence["dialect"], evidence["frame"], evidence.get("frames", ()))
    raise CouldNotCheck(reason, message, evidence=evidence)


def _brain_reached(c: CheckContext, run: PerfRun) -> None:
    """A probe that met another dialect's envelope, or no brain at all, judged nothing."""
    report = run.mcp_report
    if report is None:
        if not run.settings.ws_url:
            c.skip("brain_service is empty: no brain service configured")
        raise CouldNotCheck("setup", "the brain probe did not run (its cell was skipped): nothing was measured")
    if report.not_speaking is not None:
        seen = report.not_speaking
        message = f"the server at {seen['url']} does not speak {seen['dialect']}: it answered {seen['frame']}"
        could_not_check(c, "dialect", message, seen)
    if report.unreachable is not None:
        could_not_check(c, "unreachable", report.unreachable, {"url": report.ws_url})


def _budget(check_id: str) -> Callable[[CheckContext, PerfRun], None]:
    def check(c: CheckContext, run: PerfRun) -> None:
        if check_id in MCP_BUDGETS:
            _brain_reached(c, run)
        record_budget(c, run.outcome(check_id))

    check.__name__ = check.__qualname__ = f"check_{check_id}"
    check.__doc__ = f"{BUDGET_TITLES[check_id]} (the measured value and limit are attached)."
    return check


check_budget_health_response = _budget("budget_health_response")
check_budget_http_success = _budget("budget_http_success")
check_budget_ws_connect = _budget("budget_ws_connect")
check_budget_ws_round_trip = _budget("budget_ws_round_trip")
check_budget_ws_success = _budget("budget_ws_success")
check_budget_embedding = _budget("budget_embedding")


def _label(result: ProbeResult) -> str:
    if result.kind == "latency":
        return f"{result.target} @ {result.rate_rps:g} req/s"
    return f"{result.target} x{result.concurrency}"


def _client_delay_s(result: ProbeResult) -> float:
    """The larger of the probe's loop lag and scheduler lag at p99: what it may have added."""
    timer = result.selfcheck.timer_lag
    return max(result.selfcheck.loop_lag.p99_s or 0.0, (timer.p99_s or 0.0) if timer else 0.0)


def check_probe_self_check(c: CheckContext, run: PerfRun) -> None:
    """Could not check (error/setup) when a latency probe was client-bound by enough to matter: its
    own delays (event-loop or scheduler lag at p99) reach `MATERIAL_FRACTION` of the latency budget,
    so they could flip a verdict — a fault of the measurement, not of the platform. Smaller
    client-bound episodes (a busy shared machine) are listed, not failed.
    Client-bound throughput runs are listed too: their req/s is the probe's ceiling, a lower
    bound for the target, expected against fast targets."""
    material_s = MATERIAL_FRACTION * run.settings.budgets.health_response_s
    lags = {_label(r): _client_delay_s(r) for r in run.latency}
    c.measure(
        latency_client_bound={_label(r): r.client_bound for r in run.latency},
        latency_client_delay_p99_s=lags,
        material_delay_s=material_s,
        throughput_client_bound={_label(r): r.client_bound for r in run.load},
        reasons={_label(r): list(r.selfcheck.reasons) for r in [*run.latency, *run.load] if r.client_bound},
        not_judged={_label(r): list(r.selfcheck.notes) for r in [*run.latency, *run.load] if r.selfcheck.notes},
    )
    if not run.latency:
        c.skip("no latency probe ran (no HTTP target configured)")
    # The probe's own delays are no evidence about the platform: too much of them means the latency
    # figures could not be measured cleanly, so the check says it could not check (never `fail`).
    material = [
        f"{_label(r)} was CLIENT-BOUND with {lags[_label(r)] * 1e3:.1f} ms of its own delay at p99 "
        f"(≥ {material_s * 1e3:.0f} ms can change a verdict): {'; '.join(r.selfcheck.reasons)}"
        for r in run.latency
        if r.client_bound and lags[_label(r)] >= material_s
    ]
    if material:
        c.could_not_check(
            "setup",
            "; ".join(material) + " — lower arrival_rate_rps, add shards, or run on a quieter machine",
        )
    for result in run.latency:
        label = _label(result)
        if not result.client_bound:
            continue
        c.note(
            f"{label} marked CLIENT-BOUND, its own delay p99 {lags[label] * 1e3:.1f} ms is below "
            f"{material_s * 1e3:.0f} ms and cannot change the budget verdicts"
        )
    bound = [_label(r) for r in run.load if r.client_bound]
    if bound:
        c.note(f"throughput runs at the probe's own ceiling (client-bound): {bound}")


def _need_mcp(c: CheckContext, run: PerfRun) -> None:
    if not run.settings.ws_url:
        c.skip("brain_service is empty: no brain service configured")


def _functional(c: CheckContext, run: PerfRun, name: str) -> None:
    _need_mcp(c, run)
    result = run.functional(name)
    c.measure(**{key: value for key, value in result.data.items() if key != "results"})
    if result.could_not_check is not None:
        found = result.could_not_check
        could_not_check(c, found["reason"], found["message"], found.get("evidence") or {})
    for problem in result.problems:
        c.expect(False, problem, remedy=remedy_for(name, problem))
    c.note(result.summary)


# What each observed defect calls for: `True` is the check's declared remedy, for exactly its defect.
REMEDIES: tuple[tuple[str, str, str | bool], ...] = (
    ("project_isolation", "search returned", True),
    ("project_isolation", "found via", True),
    ("tool_execution", "was not the most similar", True),
    ("tool_execution", "not ranked by", True),
    ("tools_listed", "did not name required", True),
    ("tools_listed", "input schema lacks", True),
    (
        "tool_execution",
        "validation error for CharacterSearchResult",
        "one character's weighted score fell outside [0, 1] and the result model rejected the whole search: "
        "clamp (or rescale) the score before validating it",
    ),
    (
        "tool_execution",
        "Couldn't connect to",
        "the brain's graph store is unreachable (its own words above) while /health still answers 200 "
        "'degraded': restore the store, and alert on the health body, not its status code",
    ),
)


def remedy_for(check: str, problem: str) -> str | bool:
    """The remedy for an observed problem, or none when nothing here speaks of exactly it."""
    return next((remedy for name, needle, remedy in REMEDIES if name == check and needle in problem), "")


def check_mcp_tools_listed(c: CheckContext, run: PerfRun) -> None:
    """`tools/list` advertises create_character and find_similar_characters with their arguments."""
    _functional(c, run, "tools_listed")


def check_mcp_tool_execution(c: CheckContext, run: PerfRun) -> None:
    """Three characters created in a fresh project; each comes back first for its own description,
    results ranked best first (score descending or distance ascending)."""
    _functional(c, run, "tool_execution")


def check_mcp_project_isolation(c: CheckContext, run: PerfRun) -> None:
    """The same character in two fresh projects: a search in one never returns the other's."""
    _functional(c, run, "project_isolation")


def _cases(c: CheckContext, run: PerfRun, names: tuple[str, ...] | None) -> None:
    _need_mcp(c, run)
    _brain_reached(c, run)
    report = run.mcp_report
    assert report is not None
    names = names if names is not None else mcp.PROTOCOL_CASES[report.dialect]
    cases = [case for case in report.error_cases if case.case in names]
    c.measure(cases={case.case: case.to_dict() for case in cases})
    c.expect_none(mcp.case_problems(report.error_cases, names))
    inexact = [case.case for case in cases if case.accepted and not case.spec_exact]
    c.note(
        f"{len(cases)} cases answered as a correct server may" + (f" (not spec-exact: {inexact})" if inexact else "")
    )


def check_mcp_invalid_tool_calls(c: CheckContext, run: PerfRun) -> None:
    """An unknown tool, arguments of the wrong type and a missing argument are each rejected, as a
    JSON-RPC error or as a result with isError (both correct), and the connection stays usable."""
    _cases(c, run, mcp.INVALID_TOOL_CALL_CASES)


def check_mcp_error_cases(c: CheckContext, run: PerfRun) -> None:
    """Unknown method, bad params, malformed JSON and a request without method get the JSON-RPC
    answer the spec allows (or no answer where that is allowed); log notifications are no answer."""
    _cases(c, run, None)


def check_mcp_reconnect(c: CheckContext, run: PerfRun) -> None:
    """Sandbox: turns the brain's `drop_connections` switch on, makes calls that reconnect after
    every drop, and turns it off. Live: runs only when `ws_reconnect_live` says your service drops
    connections (otherwise nothing would be dropped and nothing tested)."""
    _need_mcp(c, run)
    s = run.settings
    if not s.brain_admin_url and not s.ws_reconnect_live:
        c.skip("live service: set ws_reconnect_live once the service drops connections (nothing to reconnect from)")
    if s.brain_admin_url:
        set_faults(s.brain_admin_url, {"drop_connections": DROP_AFTER_MESSAGES})
    try:
        result = mcp.probe_reconnect(s.ws_url, calls=RECONNECT_CALLS, **s.brain)
    except mcp.McpDialectError as error:
        raise connect.not_speaking(error.url, error.dialect, error.frame, error.frames) from None
    finally:
        if s.brain_admin_url:
            set_faults(s.brain_admin_url, {"drop_connections": None})
    c.measure(**{key: value for key, value in result.to_dict().items() if key != "reconnect"})
    if not result.exercised:
        # Nothing was dropped, so nothing was tested: not evidence against the brain.
        raise CouldNotCheck("setup", result.problems()[0], evidence={"calls": result.calls_planned})
    c.expect_none(result.problems())
    calls = f"{result.calls_succeeded}/{result.calls_planned} calls"
    c.note(f"{result.drops} drops, {result.reconnects_ok} reconnects, {calls} succeeded")
