"""Schemathesis' engine from Python, against the real server over loopback, with a fixed seed.

Not in-process (`from_asgi`): that path hid the server's 500s in the research runs. The OpenAPI
document is fetched once; operations whose request body is `format: binary` (which says "any
bytes" where the server wants an image) may answer 415 to schema-valid data without failing
`positive_data_acceptance` (400 or 415: ORFEAS answers 400 "Security validation failed") — the
explicit case table covers real images. Every failing check is
reported once per operation with its curl reproducer; JUnit XML and a JSON report go to the
evidence folder.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ._spec import METHODS

# Statuses a schema-valid request to a binary-upload operation may get when the bytes are not an image.
BINARY_UPLOAD_EXTRA = ("400", "415")
POSITIVE_DEFAULT = ("2xx", "3xx", "401", "403", "404", "409", "429", "5xx")
ALL_PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True)
class Finding:
    operation: str
    check: str
    code: str
    title: str
    message: str
    phase: str
    status: int | None
    reproducer: str

    def line(self, limit: int = 400) -> str:
        shown = self.reproducer if len(self.reproducer) <= limit else self.reproducer[:limit] + "…"
        got = f" (got {self.status})" if self.status is not None else ""
        return f"{self.operation}: {self.check} {self.code} {self.title}{got}; reproduce: {shown}"


@dataclass
class FuzzReport:
    seed: int
    phases: list[str]
    max_examples: int
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop_reason: str = ""
    running_time_s: float = 0.0
    cases: int = 0
    operations: dict[str, int] = field(default_factory=dict)
    relaxed: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Evidence against the platform: each finding, and an API that stopped answering mid-run."""
        found = [finding.line() for finding in self.findings]
        if self.stop_reason == "server_unavailable":
            found.append("schemathesis stopped: the API stopped responding during the run")
        return found

    def limits(self) -> list[str]:
        """What the run could not do (engine errors, the time budget): stated, never a defect."""
        found = [f"schemathesis could not test: {error}" for error in self.errors]
        if self.stop_reason == "time_budget":
            found.append(f"stopped at its time budget after {self.cases} cases (not a platform defect)")
        return found


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local `$ref`s (`#/components/...`) until a real node."""
    seen = 0
    while (
        isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 32
    ):
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, Mapping) else {}
        node, seen = target, seen + 1
    return node


def _binary(document: Mapping[str, Any], schema: Any) -> bool:
    schema = _resolve(document, schema)
    if not isinstance(schema, Mapping):
        return False
    # OpenAPI 3.0 says `format: binary`; 3.1 (JSON Schema 2020-12, e.g. FastAPI >= 0.100) `contentMediaType`.
    if schema.get("format") == "binary" or "contentMediaType" in schema or schema.get("contentEncoding") == "base64":
        return True
    properties = schema.get("properties", {})
    return isinstance(properties, Mapping) and any(_binary(document, value) for value in properties.values())


def _binary_media(document: Mapping[str, Any], media_type: str, media: Mapping[str, Any]) -> bool:
    """A request body media type that carries file bytes (a raw octet-stream/image body or a binary field)."""
    raw = media_type.split(";")[0].strip().lower()
    if (raw == "application/octet-stream" or raw.startswith(("image/", "model/"))) and not media.get("schema"):
        return True  # OpenAPI 3.1 allows a raw binary body with no schema at all
    return _binary(document, media.get("schema"))


def binary_upload_operations(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation with a `format: binary` request body (OpenAPI 3)."""
    found = []
    for path, operations in (document.get("paths") or {}).items():
        if not isinstance(operations, Mapping):
            continue
        for method, operation in operations.items():
            if method.lower() not in METHODS or not isinstance(operation, Mapping):
                continue
            body = _resolve(document, operation.get("requestBody", {}))
            content = body.get("content", {}) if isinstance(body, Mapping) else {}
            if any(
                _binary_media(document, name, media) for name, media in content.items() if isinstance(media, Mapping)
            ):
                found.append((method.upper(), path))
    return found


def engine_config(
    *,
    base_url: str,
    headers: Mapping[str, str] | None = None,
    tls_verify: bool | str = True,
    seed: int,
    phases: Sequence[str],
    max_examples: int,
    request_timeout_s: float,
    relaxed: Sequence[tuple[str, str]],
    skipped: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The Schemathesis configuration (its `schemathesis.toml` keys) for one bounded, seeded run."""
    unknown = sorted(set(phases) - set(ALL_PHASES))
    if unknown:
        raise ValueError(f"unknown Schemathesis phase(s) {unknown}; expected some of {list(ALL_PHASES)}")
    statuses = [*POSITIVE_DEFAULT, *BINARY_UPLOAD_EXTRA]
    return {
        "base-url": base_url,
        # The service profile's extra headers and credentials, on every generated request.
        "headers": dict(headers or {}),
        "tls-verify": tls_verify,
        "seed": seed,
        # No example database: replaying failures saved by earlier runs (in ./.hypothesis) would make
        # the same seed send different requests, and would write into whatever the working directory is.
        "generation": {"max-examples": max_examples, "database": "none"},
        "request-timeout": request_timeout_s,
        # Its run cache (./.schemathesis) carries what earlier runs learned into the next one: off, so a
        # run depends on its seed only and writes nothing into the working directory.
        "cache": {"enabled": False},
        "phases": {phase: {"enabled": phase in phases} for phase in ALL_PHASES},
        "operations": [
            *(
                {
                    "include-path": path,
                    "include-method": method,
                    "checks": {"positive_data_acceptance": {"expected-statuses": statuses}},
                }
                for method, path in relaxed
            ),
            # Documented operations the platform does not serve: nothing of theirs to test.
            *({"include-path": path, "include-method": method, "enabled": False} for method, path in skipped),
        ],
    }


def run_schemathesis(
    document: dict[str, Any],
    *,
    base_url: str,
    headers: Mapping[str, str] | None = None,
    tls_verify: bool | str = True,
    seed: int,
    phases: Sequence[str],
    max_examples: int,
    request_timeout_s: float,
    max_s: float,
    report_dir: Path | None = None,
    skipped: Sequence[tuple[str, str]] = (),
) -> FuzzReport:
    """Run the engine once; stop it at `max_s` (its own max-time would cycle phases until then)."""
    import schemathesis
    from hypothesis.configuration import set_hypothesis_home_dir
    from schemathesis.engine import events, from_schema
    from schemathesis.reporting.junitxml import JunitXmlWriter

    # Hypothesis keeps caches in ./.hypothesis by default: inside the checkout (or notebooks/) that
    # would dirty the tree the manifest records. A shared folder under the temp dir instead.
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "workbook-hypothesis")

    relaxed = binary_upload_operations(document)
    config = schemathesis.Config.from_dict(
        engine_config(
            base_url=base_url,
            headers=headers,
            tls_verify=tls_verify,
            seed=seed,
            phases=phases,
            max_examples=max_examples,
            request_timeout_s=request_timeout_s,
            relaxed=relaxed,
            skipped=skipped,
        )
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    report = FuzzReport(seed, list(phases), max_examples, relaxed=[f"{m} {p}" for m, p in relaxed])
    junit = JunitXmlWriter(report_dir / "schemathesis-junit.xml", config=schema.config.output) if report_dir else None
    seen: set[tuple[str, str, str]] = set()
    deadline = time.monotonic() + max_s
    stream = from_schema(schema).execute()
    for event in _bounded(stream, deadline, report):
        if isinstance(event, events.ScenarioFinished):
            _collect(event, report, seen)
            if junit is not None and event.is_test_scenario:
                junit.write(event.recorder, event.elapsed_time, status=event.status)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"{event.label}: {type(event.value).__name__}: {event.value}"[:300])
            if junit is not None:
                junit.record_error(label=event.label, message=str(event.value)[:2000])
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {type(event.exception).__name__}: {event.exception}"[:300])
        elif isinstance(event, events.EngineFinished):
            report.running_time_s = round(event.running_time, 3)
            if report.stop_reason != "time_budget":
                report.stop_reason = str(event.stop_reason.value)
    if junit is not None:
        junit.close()
    if report_dir is not None:
        report.files.append(str(report_dir / "schemathesis-junit.xml"))
        path = report_dir / "schemathesis.json"
        path.write_text(json.dumps(asdict(report), indent=2, default=str))
        report.files.append(str(path))
    return report


def _bounded(stream: Any, deadline: float, report: FuzzReport) -> Iterator[Any]:
    for event in stream:
        yield event
        if time.monotonic() > deadline and report.stop_reason != "time_budget":
            report.stop_reason = "time_budget"
            stream.stop()


def _collect(event: Any, report: FuzzReport, seen: set[tuple[str, str, str]]) -> None:
    recorder = event.recorder
    for case_id, node in recorder.cases.items():
        label = node.value.operation.label
        report.operations[label] = report.operations.get(label, 0) + 1
        report.cases += 1
        for check in recorder.checks.get(case_id, []):
            info = check.failure_info
            if info is None:
                continue
            failure = info.failure
            key = (label, check.name, failure.title)
            if key in seen:
                continue
            seen.add(key)
            interaction = recorder.interactions.get(case_id)
            status = interaction.response.status_code if interaction is not None and interaction.response else None
            report.findings.append(
                Finding(
                    operation=label,
                    check=check.name,
                    code=str(getattr(failure, "code", "")),
                    title=str(failure.title),
                    message=str(failure.message)[:500],
                    phase=str(getattr(event.phase, "value", event.phase)),
                    status=status,
                    reproducer=info.code_sample,
                )
            )
