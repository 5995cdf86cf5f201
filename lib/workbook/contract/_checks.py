"""The ten checks of notebook 40, as functions of (check context, run).

Each records measurements and problems on the `CheckContext`; a problem names the defect (and the
case row, request or operation) so a failing line says what is wrong without opening the notebook.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from PIL import Image

from ..checks import CheckContext, CheckSpec, Severity
from ._cases import FamilyResult, MeshJob, failures, generate_rows, text_rows, upload_rows
from ._client import Exchange
from ._fuzz import fetch_document, run_schemathesis
from ._health import health_problems, measure_readiness
from ._mesh import inspect_mesh, sha256_of
from ._paths import document_problems, probe_problems
from ._run import ContractRun
from ._samples import png
from ._security import probe_uploads
from ._soak import samples_frame, soak

SERVICE = "studio API"
CHECKS: dict[str, CheckSpec] = {
    "health": CheckSpec(
        title="1. health: 200, JSON body, within the response-time budget (three requests)",
        service=SERVICE,
        severity=Severity.CRITICAL,
        remedy="Serve GET /health as 200 application/json without touching slow dependencies.",
        figures=("max_latency_ms",),
    ),
    "readiness": CheckSpec(
        title="2. readiness: /ready says 200 only once uploads work; first working upload within budget",
        service=SERVICE,
        severity=Severity.CRITICAL,
        remedy="Report ready only after models and routes are loaded; initialise metrics before listening.",
        figures=("first_working_s",),
    ),
    "routes": CheckSpec(
        title="3. routes: every configured path is in the OpenAPI document and answers (prefix mistakes named)",
        service=SERVICE,
        severity=Severity.MAJOR,
        remedy="Mount the API under the documented prefix, or fix the paths the clients call.",
    ),
    "upload_cases": CheckSpec(
        title="4. upload cases: valid and >1 MB PNG get job ids; no file 400; fake or truncated 415; ids distinct",
        service=SERVICE,
        severity=Severity.CRITICAL,
        remedy="Decode and verify the image before accepting it; answer 400 for a missing field, never 500.",
    ),
    "text_cases": CheckSpec(
        title="5. text-to-image cases: prompt, long prompt, every style; missing, empty or blank prompt 400",
        service=SERVICE,
        severity=Severity.MAJOR,
        remedy="Validate the prompt (present, not blank, within the length limit) before queueing a job.",
    ),
    "generate_cases": CheckSpec(
        title="6. generate-3d cases: every format x quality from an upload; no job id 400; unknown job 404",
        service=SERVICE,
        severity=Severity.CRITICAL,
        remedy="Validate job_id, format and quality; answer 404 for an unknown job.",
    ),
    "outputs": CheckSpec(
        title="7. outputs: every 3D result parses as the format asked (trimesh) with geometry; images decode",
        service=SERVICE,
        severity=Severity.CRITICAL,
        remedy="Export the mesh in the requested format and serve the complete file.",
    ),
    "schemathesis": CheckSpec(
        title="8. Schemathesis: no server errors, responses conform to the OpenAPI document, bad input rejected",
        service=SERVICE,
        severity=Severity.MAJOR,
        remedy="Fix each reported operation (curl reproducer in the detail and schemathesis.json).",
    ),
    "soak": CheckSpec(
        title="9. sequential soak: every request answered, over one keep-alive connection and fresh ones",
        service=SERVICE,
        severity=Severity.CRITICAL,
        remedy="Find what blocks after N requests (a lock, a pool, a metrics call); serve with a production server.",
        figures=("worst_p95_ms",),
    ),
    "upload_security": CheckSpec(
        title="10. upload security: no ../ escape, 413 over the limit, non-images refused, no traces, CORS as set",
        service=SERVICE,
        severity=Severity.CRITICAL,
        remedy="Sanitise filenames, enforce the size limit, verify content, hide tracebacks, restrict CORS origins.",
    ),
}
DONE = ("completed", "complete", "done", "succeeded", "success", "finished", "ready")
FAILED = ("failed", "error", "cancelled", "canceled")
POLL_S = 0.05


def check_health(c: CheckContext, run: ContractRun) -> None:
    answers = [run.client.get("health") for _ in range(3)]
    latencies = [round(a.elapsed_s * 1000, 2) for a in answers]
    c.measure(statuses=[a.status for a in answers], latency_ms=latencies, max_latency_ms=max(latencies))
    c.expect_none(health_problems(answers, run.settings.health_budget_s))


def check_readiness(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    restart = run.restart if s.admin_url else None
    readiness = measure_readiness(run.client, restart=restart, limit_s=s.readiness_budget_s * 4 + s.request_timeout_s)
    run.readiness = readiness
    run.save_json("readiness.json", asdict(readiness))
    c.measure(
        mode=readiness.mode,
        first_working_s=readiness.first_working_s,
        first_ready_s=readiness.first_ready_s,
        polls=len(readiness.ticks),
    )
    c.expect_none(readiness.problems(s.readiness_budget_s))


def check_routes(c: CheckContext, run: ContractRun) -> None:
    s = run.settings
    if s.openapi_url:
        try:
            document = fetch_document(s.openapi_url, s.request_timeout_s)
        except Exception as error:
            c.expect(False, f"could not read the OpenAPI document at {s.openapi_url}: {type(error).__name__}: {error}")
        else:
            c.measure(documented_paths=len(document.get("paths", {})))
            c.expect_none(document_problems(document, s.paths))
    else:
        c.note("no OpenAPI document (openapi_url empty): paths checked by probing only")
    problems, probes = probe_problems(run.client)
    c.measure(probes=[f"{name} -> {answer.status or answer.error}" for name, answer in probes])
    c.expect_none(problems)


def _family(c: CheckContext, run: ContractRun, name: str, runner: Callable[..., FamilyResult]) -> None:
    result = runner(run.client)
    run.families[name] = result
    failing = [row for row in result.rows if not row.ok]
    c.measure(rows=len(result.rows), failed=len(failing), failed_rows=[row.case for row in failing])
    c.expect_none(failures(result.rows))


def check_upload_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "upload", upload_rows)


def check_text_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "text_to_image", text_rows)


def check_generate_cases(c: CheckContext, run: ContractRun) -> None:
    _family(c, run, "generate_3d", generate_rows)


def _own_meshes(run: ContractRun) -> list[MeshJob]:
    """When the generate cases did not run: one job per format from a fresh upload."""
    upload = run.client.upload(png(seed=41), "outputs.png")
    body = upload.json()
    source = str(body.get("job_id", "")) if isinstance(body, dict) else ""
    jobs = []
    for file_format in run.settings.formats:
        answer = run.client.post_json("generate_3d", {"job_id": source, "format": file_format})
        data = answer.json()
        if answer.ok and isinstance(data, dict) and data.get("job_id"):
            job_id = str(data["job_id"])
            url = str(data.get("result_url") or run.settings.paths["result"].format(job_id=job_id))
            jobs.append(MeshJob(file_format, 0, job_id, url, source))
    return jobs


def _download(run: ContractRun, job: MeshJob) -> tuple[Exchange | None, str]:
    """Wait for the job, then fetch its result; (answer, problem)."""
    deadline = time.monotonic() + run.settings.job_timeout_s
    while True:
        status = run.client.get("job", job_id=job.job_id)
        body = status.json()
        state = str(body.get("status", "")).lower() if isinstance(body, dict) else ""
        if state in FAILED:
            return None, f"job {job.job_id} ({job.format}) ended {state}"
        if state in DONE or status.status == 404:
            answer = run.client.fetch(job.result_url)
            if answer.status not in (202, 409):
                return answer, "" if answer.ok else f"result of job {job.job_id} ({job.format}): {answer.brief()}"
        if time.monotonic() > deadline:
            return (
                None,
                f"job {job.job_id} ({job.format}) not finished within {run.settings.job_timeout_s:g} s "
                f"(last: {status.brief()})",
            )
        time.sleep(POLL_S)


def check_outputs(c: CheckContext, run: ContractRun) -> None:
    generated = run.families.get("generate_3d")
    jobs = generated.meshes if generated and generated.meshes else _own_meshes(run)
    c.expect(jobs, "no 3D job could be started, so no output could be checked")
    folder = run.evidence / "outputs"
    folder.mkdir(exist_ok=True)
    run.meshes = []
    for job in jobs:
        answer, problem = _download(run, job)
        if answer is None or problem:
            c.expect(False, problem)
            continue
        (folder / f"{job.job_id}.{job.format}").write_bytes(answer.body)
        report = inspect_mesh(answer.body, job.format, answer.content_type)
        run.meshes.append(report)
        label = f"{job.format} quality {job.quality} (job {job.job_id})"
        c.expect_none(f"{label}: {problem}" for problem in report.problems)
    texts = run.families.get("text_to_image")
    urls = texts.images if texts and texts.images else []
    if not urls:
        answer = run.client.post_json("text_to_image", {"prompt": "an outputs check"})
        body = answer.json()
        if isinstance(body, dict) and body.get("image_url"):
            urls = [("outputs check", str(body["image_url"]))]
    c.expect(urls, "no generated image URL to check")
    run.images = [_image(c, run, case, url) for case, url in urls]
    c.measure(
        meshes_checked=len(run.meshes),
        images_checked=len(run.images),
        meshes=[
            {"format": m.asked, "found": m.found, "bytes": m.size_bytes, "faces": m.faces, "sha256": m.sha256}
            for m in run.meshes
        ],
        images=[{key: image[key] for key in ("case", "format", "size", "sha256")} for image in run.images],
    )
    run.save_json("outputs.json", {"meshes": [asdict(m) for m in run.meshes], "images": run.images})


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
    document = fetch_document(s.openapi_url, s.request_timeout_s)
    report = run_schemathesis(
        document,
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
            f"415 allowed for schema-valid bytes on binary uploads: {', '.join(report.relaxed)} "
            "(the case table covers real images)"
        )
    c.expect_none(report.problems())


def check_soak(c: CheckContext, run: ContractRun) -> None:
    run.soak = soak(run.client)
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


def check_upload_security(c: CheckContext, run: ContractRun) -> None:
    result = probe_uploads(run.client)
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
    "upload_security": check_upload_security,
}
