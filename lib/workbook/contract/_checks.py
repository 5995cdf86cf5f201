"""The eleven checks of notebook 40, as functions of (check context, run).

Each records measurements and problems on the `CheckContext`; a problem names the defect (and the
case row, request or operation) so a failing line says what is wrong without opening the notebook.
When a check could not exercise the platform (its probe refused, no contract to test) it raises
`CouldNotCheck` with the platform's own words, and is recorded as an error, never as a failure.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from PIL import Image

from ..checks import CheckContext, CheckSpec, Severity
from ._cases import FamilyResult, MeshJob, failures, generate_rows, text_rows, upload_rows
from ._downloads import path_routes, probe_downloads
from ._fuzz import run_schemathesis
from ._health import health_problems, measure_readiness
from ._mesh import inspect_mesh, sha256_of
from ._paths import document_problems, probe_problems
from ._run import ContractRun
from ._samples import png
from ._security import probe_uploads
from ._soak import SoakPlan, connection_reuse, samples_frame, soak

SERVICE = "studio"


class CouldNotCheck(RuntimeError):
    """The check could not exercise the platform (recorded as error, with the platform's words)."""


def _spec(title: str, severity: Severity, remedy: str, figures: tuple[str, ...] = ()) -> CheckSpec:
    return CheckSpec(title=title, service=SERVICE, severity=severity, remedy=remedy, figures=figures)


CHECKS: dict[str, CheckSpec] = {
    "health": _spec(
        "1. health: every health path answers 200 with a JSON body saying healthy, within the budget",
        Severity.CRITICAL,
        "Serve the health paths as 200 application/json without touching slow dependencies.",
        ("max_latency_ms",),
    ),
    "readiness": _spec(
        "2. readiness: /ready says 200 only once a request that needs the models works; within budget",
        Severity.CRITICAL,
        "Report ready only after models and routes are loaded.",
        ("first_working_s",),
    ),
    "routes": _spec(
        "3. routes: every route of the dialect is in the published contract and answers (prefix mistakes named)",
        Severity.MAJOR,
        "Mount the API under the documented prefix, or fix the paths the clients call.",
    ),
    "upload_cases": _spec(
        "4. upload cases: valid and >1 MB PNG get job ids; no file, fake or truncated images refused as the contract says; ids distinct",
        Severity.CRITICAL,
        "Decode and verify the image before accepting it; answer 400 for a missing field, never 500.",
    ),
    "text_cases": _spec(
        "5. text-to-image cases: prompts and styles start jobs whose image appears; missing, empty, blank prompt or no JSON refused",
        Severity.MAJOR,
        "Validate the prompt and the body before queueing a job.",
    ),
    "generate_cases": _spec(
        "6. generate-3d and job status: every format x quality followed to its end; missing, malformed, unknown ids apart",
        Severity.CRITICAL,
        "Validate job_id, format and quality (400, never 500); answer 404 for an unknown job.",
    ),
    "outputs": _spec(
        "7. outputs: each format asked yields a file of that format (trimesh parses it); images decode",
        Severity.CRITICAL,
        "Export the mesh in the requested format and serve the complete file.",
    ),
    "schemathesis": _spec(
        "8. Schemathesis: no server errors, responses conform to the published contract, bad input rejected",
        Severity.MAJOR,
        "Fix each reported operation (curl reproducer in the detail and schemathesis.json).",
    ),
    "soak": _spec(
        "9. sequential soak: every request answered; connections reused when the server keeps them",
        Severity.CRITICAL,
        "Find what blocks after N requests (a lock, a pool, a metrics call); serve with a production server.",
        ("worst_p95_ms",),
    ),
    "download_safety": _spec(
        "10. download safety: no path-parameter route serves content from outside its folder (../, %2e%2e, encoded separators)",
        Severity.CRITICAL,
        "Validate ids before building paths and check containment against the output folder, not the job's own.",
    ),
    "upload_security": _spec(
        "11. upload security: no ../ escape, 413 over the limit, non-images refused, no traces, CORS as configured",
        Severity.CRITICAL,
        "Sanitise filenames, enforce the size limit, verify content, hide tracebacks, restrict CORS origins.",
    ),
}


def check_health(c: CheckContext, run: ContractRun) -> None:
    answers = [(path, run.client.send("GET", path)) for path in run.dialect.health_paths for _ in range(3)]
    latencies = [round(a.elapsed_s * 1000, 2) for _, a in answers]
    c.measure(
        statuses=[f"{path} -> {a.status}" for path, a in answers],
        words=[(a.json() or {}).get("status") if isinstance(a.json(), dict) else None for _, a in answers],
        latency_ms=latencies,
        max_latency_ms=max(latencies),
    )
    c.expect_none(health_problems(answers, run.settings.health_budget_s))


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
        raise CouldNotCheck(
            f"the platform refused the readiness probe ({s.readiness_image_px}x{s.readiness_image_px} PNG): "
            f"{readiness.refused}; set readiness_image_px or dialect_options to a request it accepts"
        )
    c.expect_none(readiness.problems(s.readiness_budget_s))


def check_routes(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    if run.document is not None:
        c.measure(documented_paths=len(run.document.get("paths", {})), contract=s.openapi_url)
        c.expect_none(document_problems(run.document, run.dialect.routes()))
    elif run.document_error:
        raise CouldNotCheck(f"could not read the OpenAPI document at {s.openapi_url}: {run.document_error}")
    else:
        c.note("no OpenAPI document (openapi_url empty): routes checked by probing only")
    problems, probes = probe_problems(run.dialect)
    c.measure(probes=[f"{name} -> {answer.status or answer.error}" for name, answer in probes])
    c.expect_none(problems)


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
    c.expect_none(failures(result.rows))


def check_upload_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "upload", upload_rows)


def check_text_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "text_to_image", text_rows)


def check_generate_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "generate_3d", generate_rows)


def _own_meshes(run: ContractRun) -> list[MeshJob]:
    """When the generate cases did not run: one job per format from a fresh upload each."""
    jobs = []
    for index, file_format in enumerate(run.settings.formats):
        source = run.dialect.upload(png(seed=41 + index), "outputs.png")
        started = run.dialect.generate_3d(run.dialect.generate_body(source.job_id or "missing-upload", file_format, 5))
        if started.job_id:
            job = run.dialect.follow(started.job_id, timeout_s=run.settings.job_timeout_s)
            url, name = run.dialect.result_location(job, started) if job.succeeded else ("", "")
            jobs.append(MeshJob(file_format, 5, job, url, name))
    return jobs


def check_outputs(c: CheckContext, run: ContractRun) -> None:
    generated = run.families.get("generate_3d")
    jobs = generated.meshes if generated and generated.meshes else _own_meshes(run)
    if not jobs:
        raise CouldNotCheck("no 3D job could be started, so no output could be checked (see generate_cases)")
    folder = run.evidence / "outputs"
    folder.mkdir(exist_ok=True)
    run.meshes = []
    for mesh_job in jobs:
        label = f"{mesh_job.format} quality {mesh_job.quality} (job {mesh_job.job.job_id})"
        if not mesh_job.job.succeeded:
            c.expect(
                False,
                f"{label}: {mesh_job.job.problem or f'the job ended {mesh_job.job.state!r}: {mesh_job.job.body}'}",
            )
            continue
        if not mesh_job.result_url:
            c.expect(False, f"{label}: the finished job names no result ({mesh_job.job.body})")
            continue
        answer = run.client.fetch(mesh_job.result_url)
        if not answer.ok:
            c.expect(False, f"{label}: GET {mesh_job.result_url} answered {answer.brief()}")
            continue
        name = mesh_job.result_name or f"{mesh_job.job.job_id}.{mesh_job.format}"
        (folder / f"{mesh_job.format}_q{mesh_job.quality}_{name}").write_bytes(answer.body)
        report = inspect_mesh(answer.body, mesh_job.format, answer.content_type, mesh_job.result_name)
        run.meshes.append(report)
        c.expect_none(f"{label}: {problem}" for problem in report.problems)
    texts = run.families.get("text_to_image")
    urls = texts.images if texts and texts.images else _own_image(run)
    c.expect(urls, "no generated image to check (no text-to-image job finished with an image)")
    run.images = [_image(c, run, case, url) for case, url in urls]
    c.measure(
        meshes_checked=len(run.meshes),
        images_checked=len(run.images),
        meshes=[
            {
                "asked": m.asked,
                "written": m.name,
                "found": m.found,
                "bytes": m.size_bytes,
                "faces": m.faces,
                "sha256": m.sha256,
            }
            for m in run.meshes
        ],
        images=[{key: image[key] for key in ("case", "format", "size", "sha256")} for image in run.images],
    )
    run.save_json("outputs.json", {"meshes": [asdict(m) for m in run.meshes], "images": run.images})


def _own_image(run: ContractRun) -> list[tuple[str, str]]:
    started = run.dialect.text_to_image({"prompt": "an outputs check"})
    if not started.job_id:
        return []
    job = run.dialect.follow(started.job_id, timeout_s=run.settings.job_timeout_s)
    url = run.dialect.image_location(job, started) if job.succeeded else ""
    return [("outputs check", url)] if url else []


def _image(c: CheckContext, run: ContractRun, case: str, url: str) -> dict[str, Any]:
    answer = run.client.fetch(url)
    info: dict[str, Any] = {
        "case": case,
        "url": url,
        "status": answer.status,
        "format": None,
        "size": None,
        "sha256": sha256_of(answer.body),
    }
    if not answer.ok:
        c.expect(False, f"image of '{case}' ({url}): {answer.brief()}")
        return info
    try:
        with Image.open(io.BytesIO(answer.body)) as image:
            image.load()
            info["format"], info["size"] = image.format, list(image.size)
    except Exception as error:
        c.expect(False, f"image of '{case}' ({url}) does not decode: {type(error).__name__}: {error}")
    return info


def check_schemathesis(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    if not s.openapi_url:
        c.skip("no OpenAPI document published (openapi_url is empty): Schemathesis has no contract to test")
    if run.document is None:
        raise CouldNotCheck(f"could not read the OpenAPI document at {s.openapi_url}: {run.document_error}")
    report = run_schemathesis(
        run.document,
        base_url=s.base_url,
        seed=s.schemathesis_seed,
        phases=s.schemathesis_phases,
        max_examples=s.schemathesis_max_examples,
        request_timeout_s=s.request_timeout_s,
        max_s=s.schemathesis_max_s,
        report_dir=run.evidence,
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
        findings=len(report.findings),
        stop_reason=report.stop_reason,
        running_time_s=report.running_time_s,
    )
    if report.relaxed:
        c.note(
            f"400 or 415 allowed for schema-valid bytes on binary uploads: {', '.join(report.relaxed)} (the case table covers real images)"
        )
    c.expect_none(report.problems())


def check_soak(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    routes = run.dialect.routes()
    plan = SoakPlan(
        routes={
            "health": ("GET", run.dialect.health_paths[0]),
            "text_to_image": routes["text_to_image"],
            "upload": routes["upload"],
        },
        upload_field=getattr(run.dialect.options, "upload_field", "image"),
        requests=s.soak_requests,
        timeout_s=s.soak_timeout_s,
        max_stalls=s.soak_max_stalls,
        max_s=s.soak_max_s,
    )
    run.reuse = connection_reuse(run.client, run.dialect.health_paths[0], s.soak_timeout_s)
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
        failure = series.first_failure
        c.measure(
            **{
                f"{series.endpoint}_{series.mode}": {
                    "sent": len(series.samples),
                    "first_failure": failure.index if failure else None,
                    "connections": series.connections,
                    **series.percentiles(),
                }
            }
        )
        c.expect_none(series.problems())
        if series.mode == "keep-alive" and series.connections > 1 and not series.first_failure:
            c.expect(
                False,
                f"keep-alive {series.endpoint}: {series.connections} connections for {len(series.samples)} requests (the server stopped keeping them)",
            )


def check_download_safety(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    fallback = getattr(run.dialect.options, "file_routes", [])
    routes = path_routes(run.document, fallback)
    if not routes:
        raise CouldNotCheck("no route with a path parameter: neither the OpenAPI document nor the dialect lists one")
    result = probe_downloads(run.client, routes, s.traversal_targets, output_dir=s.output_dir)
    run.downloads = result
    c.measure(
        routes=routes,
        probes_sent=len(result.probes),
        leaks=len(result.leaks),
        crashes=len(result.crashes),
        source="openapi" if run.document else "dialect",
    )
    c.expect_none(result.problems())


def check_upload_security(c: CheckContext, run: ContractRun) -> None:
    result = probe_uploads(run.dialect, run.settings)
    run.security = result
    c.measure(
        probes=[f"{name} -> {answer.status or answer.error}" for name, answer in result.probes],
        probes_sent=len(result.probes),
    )
    for note in result.notes:
        c.note(note)
    c.expect_none(result.problems)


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
