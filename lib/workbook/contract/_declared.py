"""The eleven checks of notebook 40 as declared: title, the service they judge, severity, typical fix.

The service is the `studio` profile's name (the report's service vocabulary). A declaration's
remedy is shown only when the check's evidence shows exactly that defect (`remedy=True`).
"""

from __future__ import annotations

from ..checks import CheckSpec, Severity

SERVICE = "studio"


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
        "3. routes: the dialect's routes answer (else could not check, naming the setting); "
        "the published documentation lists them (a gap is a documentation finding)",
        Severity.MINOR,
        "List every route the server serves in its OpenAPI document.",
    ),
    "upload_cases": _spec(
        "4. upload cases: valid and >1 MB PNG get job ids; no file, fake or truncated images refused "
        "as the contract says; ids distinct",
        Severity.CRITICAL,
        "Decode and verify the image before accepting it; answer 400 for a missing field, never 500.",
    ),
    "text_cases": _spec(
        "5. text-to-image cases: prompts and styles start jobs whose image appears; missing, empty, "
        "blank prompt or no JSON refused",
        Severity.MAJOR,
        "Validate the prompt and the body before queueing a job.",
    ),
    "generate_cases": _spec(
        "6. generate-3d and job status: every format x quality followed to its end; a repeat while "
        "running refused; missing, malformed, unknown ids apart",
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
        "10. download safety: no path-parameter route serves content from outside its folder "
        "(../, %2e%2e, encoded separators)",
        Severity.CRITICAL,
        "Validate ids before building paths and check containment against the output folder, not the job's own.",
    ),
    "upload_security": _spec(
        "11. upload security: no ../ escape, 413 over the limit, non-images refused, no traces, CORS as configured",
        Severity.CRITICAL,
        "Sanitise filenames, enforce the size limit, verify content, hide tracebacks, restrict CORS origins.",
    ),
}
