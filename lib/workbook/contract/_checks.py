"""The eleven checks of notebook 40, as functions of (check context, run).

Each records measurements and problems on the `CheckContext`; a problem names the defect (and the
case row, request or operation) so a failing line says what is wrong without opening the notebook,
and carries the fix for that very defect when there is one. When a check could not exercise the
platform (no connection, credentials refused, a route the dialect needs missing, a probe the
platform refuses by design, nothing observable) it raises `workbook.CouldNotCheck` with the reason
class and the platform's own words, and is recorded as an error, never as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from ..checks import CheckContext, CouldNotCheck, ErrorReason, quote
from ..health import read_health
from ._cases import FamilyResult, failure, generate_rows, text_rows, upload_rows
from ._downloads import path_routes, probe_downloads
from ._fuzz import run_schemathesis
from ._health import HEALTH_SAMPLES, health_problems, measure_readiness
from ._outputs import check_outputs
from ._paths import document_problems, probe_routes, unserved_operations
from ._run import ContractRun
from ._security import probe_uploads
from ._soak import SoakPlan, connection_reuse, samples_frame, soak
from ._spec import METHODS


def check_health(c: CheckContext, run: ContractRun) -> None:
    d = run.dialect
    answers = [
        (path, d.reached(f"health {path}", run.client.send("GET", path)))
        for path in d.health_paths
        for _ in range(HEALTH_SAMPLES)
    ]
    latencies = [round(a.elapsed_s * 1000, 2) for _, a in answers]
    c.measure(
        statuses=[f"{path} -> {a.status}" for path, a in answers],
        words=sorted({read_health(a.json(), run.settings.health_words).words for _, a in answers}),
        latency_ms=latencies,
        max_latency_ms=max(latencies),
    )
    for problem, serving in health_problems(answers, run.settings.health_budget_s, run.settings.health_words):
        c.expect(False, problem, remedy=serving)


def check_readiness(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    restart = run.restart if s.admin_url else None
    readiness = measure_readiness(
        run.dialect,
        image_px=s.readiness_image_px,
        restart=restart,
        limit_s=s.readiness_budget_s * 4 + s.request_timeout_s,
    )
    run.readiness = readiness
    run.save_json("readiness.json", asdict(readiness))
    c.measure(
        mode=readiness.mode,
        first_working_s=readiness.first_working_s,
        first_ready_s=readiness.first_ready_s,
        polls=len(readiness.ticks),
    )
    if readiness.refused:
        px = s.readiness_image_px
        raise CouldNotCheck(
            ErrorReason.SETUP,
            f"the platform refused the readiness probe ({px}x{px} PNG): {readiness.refused}; "
            "set readiness_image_px (or dialect_options) to a request it accepts",
            evidence={"answer": readiness.refused},
        )
    for problem, defect in readiness.problems(s.readiness_budget_s):
        c.expect(False, problem, remedy=defect)


def check_routes(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    routes = run.dialect.routes()
    probed = probe_routes(run.dialect)
    c.measure(probes=[f"{name} -> {answer.status or answer.error}" for name, answer in probed.probes])
    if run.document is not None:
        c.measure(documented_paths=len(run.document.get("paths", {})), contract=s.openapi_url)
        c.expect_none(document_problems(run.document, probed.served(routes)), remedy=True)
    elif not s.openapi_url:
        c.note("no OpenAPI document (openapi_url empty): routes checked by probing only")
    if probed.missing:
        raise probed.verdict()
    if run.document_error:
        raise CouldNotCheck(
            ErrorReason.SETUP, f"could not read the OpenAPI document at {s.openapi_url}: {run.document_error}"
        )


def _family(c: CheckContext, run: ContractRun, name: str, runner: Callable[..., FamilyResult]) -> None:
    result = runner(run.cases)
    run.families[name] = result
    failing = [row for row in result.rows if not row.ok]
    c.measure(
        rows=len(result.rows),
        failed=len(failing),
        failed_rows=[row.case for row in failing],
        contract_lines=sorted({row.contract for row in result.rows}),
    )
    for row in failing:
        c.expect(False, failure(row), remedy=row.remedy)


def check_upload_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "upload", upload_rows)


def check_text_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "text_to_image", text_rows)


def check_generate_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "generate_3d", generate_rows)


def check_schemathesis(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    if not s.openapi_url:
        c.skip("no OpenAPI document published (openapi_url is empty): Schemathesis has no contract to test")
    if run.document is None:
        raise CouldNotCheck(
            ErrorReason.SETUP, f"could not read the OpenAPI document at {s.openapi_url}: {run.document_error}"
        )
    # Each documented operation asked once: a refused credential ends the check here, and an
    # operation the platform does not serve is left out (its 404s would say nothing about behaviour).
    paths = run.document.get("paths") or {}
    documented = [(m, p) for p, ops in paths.items() if isinstance(ops, dict) for m in ops if m in METHODS]
    unserved = unserved_operations(run.client, run.document, run.dialect.name)
    c.measure(not_served=[f"{method} {path}" for method, path in unserved])
    if documented and len(unserved) == len(documented):
        raise CouldNotCheck(ErrorReason.DIALECT, "no documented operation is served: " + "; ".join(unserved.values()))
    for (method, path), why in unserved.items():
        c.note(f"{method} {path} not tested: the platform does not serve it ({quote(why, 160)})")
    profile = s.profile
    report = run_schemathesis(
        run.document,
        base_url=s.base_url,
        headers={**profile.headers, **profile.auth_headers()},
        tls_verify=profile.ca_bundle or profile.verify_tls,
        seed=s.schemathesis_seed,
        phases=s.schemathesis_phases,
        max_examples=s.schemathesis_max_examples,
        request_timeout_s=s.request_timeout_s,
        max_s=s.schemathesis_max_s,
        report_dir=run.evidence,
        skipped=list(unserved),
    )
    run.fuzz = report
    c.measure(
        contract=s.openapi_url,
        base_url=s.base_url,
        seed=report.seed,
        phases=",".join(report.phases),
        max_examples=report.max_examples,
        cases=report.cases,
        operations=len(report.operations),
        operations_tested=sorted(report.operations),
        findings=len(report.findings),
        stop_reason=report.stop_reason,
        running_time_s=report.running_time_s,
        limits=report.limits(),
    )
    if report.cases == 0 and report.errors:
        raise CouldNotCheck(ErrorReason.SETUP, "; ".join(report.limits()), evidence={"errors": report.errors})
    if report.relaxed:
        c.note(
            f"400 or 415 allowed for schema-valid bytes on binary uploads: {', '.join(report.relaxed)} "
            "(the case table covers real images)"
        )
    for limit in report.limits():
        c.note(limit)
    c.expect_none(report.problems(), remedy=True)


def check_soak(c: CheckContext, run: ContractRun) -> None:
    s, d = run.settings, run.dialect
    routes = d.routes()
    health = d.health_paths[0]
    keys = {"health": f"health {health}", "text_to_image": "text_to_image", "upload": "upload"}
    plan = SoakPlan(
        routes={"health": ("GET", health), "text_to_image": routes["text_to_image"], "upload": routes["upload"]},
        upload_field=getattr(d.options, "upload_field", "image"),
        requests=s.soak_requests,
        timeout_s=s.soak_timeout_s,
        max_stalls=s.soak_max_stalls,
        max_s=s.soak_max_s,
        gate=lambda endpoint, answer: d.reached(keys[endpoint], answer),
    )
    run.reuse = connection_reuse(run.client, health, s.soak_timeout_s, lambda a: d.reached(keys["health"], a))
    c.measure(connections_reused=run.reuse.reused, connection_header=run.reuse.connection_header or None)
    c.note(run.reuse.note())
    modes = ("keep-alive", "fresh") if run.reuse.reused else ("fresh",)
    if not run.reuse.reused:
        c.note("keep-alive series not run: it would open a new connection per request like the fresh series")
    run.soak = soak(run.client, plan, s.soak_endpoints, modes=modes)
    samples_frame(run.soak).to_csv(run.evidence / "soak_samples.csv", index=False)
    p95 = [series.percentiles().get("p95_ms", 0.0) for series in run.soak]
    c.measure(requests=sum(len(series.samples) for series in run.soak), worst_p95_ms=round(max(p95, default=0.0), 2))
    for series in run.soak:
        first = series.first_failure
        c.measure(
            **{
                f"{series.endpoint}_{series.mode}": {
                    "sent": len(series.samples),
                    "first_failure": first.index if first else None,
                    "connections": series.connections,
                    **series.percentiles(),
                }
            }
        )
        stalled, answered = series.problems()
        c.expect_none(stalled, remedy=True)  # the server stopped answering: the declared fix
        c.expect_none(answered)
        if series.mode == "keep-alive" and series.connections > 1 and not first:
            c.expect(
                False,
                f"keep-alive {series.endpoint}: {series.connections} connections for {len(series.samples)} "
                "requests (the server stopped keeping them)",
            )


def check_download_safety(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    fallback = getattr(run.dialect.options, "file_routes", [])
    routes = path_routes(run.document, fallback)
    if not routes:
        raise CouldNotCheck(
            ErrorReason.SETUP,
            "no route with a path parameter: neither the OpenAPI document nor dialect_options.file_routes lists one",
        )
    result = probe_downloads(run.client, routes, s.traversal_targets, output_dir=s.output_dir, dialect=run.dialect.name)
    run.downloads = result
    c.measure(
        routes=routes,
        not_served={route: quote(why, 160) for route, why in result.unserved.items()},
        probes_sent=len(result.probes),
        leaks=len(result.leaks),
        crashes=len(result.crashes),
        source="openapi" if run.document else "dialect",
    )
    for route in result.unserved:
        c.note(f"{route} not probed: the platform does not serve it")
    leaked, crashed = result.problems()
    c.expect_none(leaked, remedy=True)
    c.expect_none(crashed, remedy="Answer 404 for a path that is not a plain id or file name, never 500.")


def check_upload_security(c: CheckContext, run: ContractRun) -> None:
    result = probe_uploads(run.dialect, run.settings)
    run.security = result
    c.measure(
        probes=[f"{name} -> {answer.status or answer.error}" for name, answer in result.probes],
        probes_sent=len(result.probes),
    )
    for note in result.notes:
        c.note(note)
    for problem, remedy in result.problems:
        c.expect(False, problem, remedy=remedy)


CHECK_FUNCTIONS: dict[str, Callable[[CheckContext, ContractRun], None]] = {
    "health": check_health,
    "readiness": check_readiness,
    "routes": check_routes,
    "upload_cases": check_upload_cases,
    "text_cases": check_text_cases,
    "generate_cases": check_generate_cases,
    "outputs": check_outputs,
    "schemathesis": check_schemathesis,
    "soak": check_soak,
    "download_safety": check_download_safety,
    "upload_security": check_upload_security,
}
