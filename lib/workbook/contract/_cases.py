"""The seed's cases as an explicit table: one row per request, its acceptable answers, what came back.

A row's acceptable answers come from the platform's contract when it publishes one (`_spec.py`),
else from the row's default, and the row says which. `judge` is pure (tested without a network);
the `*_rows` functions send each family's requests through a dialect and also return what later
checks need (the finished 3D jobs and generated images).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ._client import Exchange
from ._dialects import FollowedJob, StudioDialect, Submitted
from ._samples import fake_png, large_png, png, truncated_png
from ._spec import Expectation, expectation

BodyRule = Callable[[Exchange], str]
SUCCESS = (200, 201, 202)
BAD_INPUT = (400, 415, 422)
COLUMNS = ["family", "case", "request", "expected", "contract", "got", "ok", "problem"]


@dataclass(frozen=True)
class Row:
    family: str
    case: str
    request: str
    expected: str
    contract: str
    got: str
    ok: bool
    problem: str = ""


@dataclass(frozen=True)
class MeshJob:
    """A finished (or abandoned) 3D job: what was asked, the job as followed, where its result is."""

    format: str
    quality: int
    job: FollowedJob
    result_url: str
    result_name: str


@dataclass
class FamilyResult:
    rows: list[Row] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)  # (case, image URL)
    meshes: list[MeshJob] = field(default_factory=list)


@dataclass(frozen=True)
class Cases:
    """What every family needs: the dialect, the published contract (or None), the settings."""

    dialect: StudioDialect
    document: Mapping[str, Any] | None
    settings: Any

    def expect(self, route: str, *, plausible: Iterable[int], default: Iterable[int]) -> Expectation:
        method, path = self.dialect.routes()[route]
        return expectation(self.document, method, path, plausible=plausible, default=default)

    def label(self, route: str, detail: str) -> str:
        method, path = self.dialect.routes()[route]
        return f"{method} {path} {detail}".strip()


def judge(
    family: str, case: str, request: str, answer: Exchange, expected: Expectation, rule: BodyRule | None = None
) -> Row:
    """A row: `answer` must have one of the expected statuses and, if given, satisfy `rule`."""
    wanted = expected.text() + (f" ({rule.__doc__})" if rule is not None and rule.__doc__ else "")
    if answer.status is None:
        return Row(family, case, request, wanted, expected.source, answer.brief(), False, f"no answer ({answer.error})")
    if not expected.accepts(answer.status):
        problem = f"expected {expected.text()} ({expected.source}), got {answer.status}"
        return Row(family, case, request, wanted, expected.source, answer.brief(), False, problem)
    problem = rule(answer) if rule is not None and answer.ok else ""
    return Row(family, case, request, wanted, expected.source, answer.brief(), not problem, problem)


def job_id_rule(answer: Exchange) -> str:
    """with a job_id"""
    body = answer.json()
    if not isinstance(body, dict) or not isinstance(body.get("job_id"), str) or not body["job_id"]:
        return "the body has no job_id"
    return ""


def error_rule(answer: Exchange) -> str:
    """with a JSON error"""
    body = answer.json()
    if not isinstance(body, dict) or not ({"detail", "error", "message"} & set(body)):
        return "the error body is not JSON with an error, detail or message"
    return ""


def failures(rows: Iterable[Row]) -> list[str]:
    """One problem per failing row, naming the family and the row."""
    return [f"{row.family} row '{row.case}': {row.problem}; got {row.got}" for row in rows if not row.ok]


def frame(rows: Iterable[Row]) -> pd.DataFrame:
    return pd.DataFrame([row.__dict__ for row in rows], columns=COLUMNS)


# --- upload ----------------------------------------------------------------------------------


def upload_rows(cases: Cases) -> FamilyResult:
    d, s, out = cases.dialect, cases.settings, FamilyResult()
    ok = cases.expect("upload", plausible=SUCCESS, default=(200, 201))
    bad = cases.expect("upload", plausible=BAD_INPUT, default=(400, 415))
    missing = cases.expect("upload", plausible=(400, 422), default=(400,))

    def add(
        case: str, detail: str, submitted: Submitted | Exchange, expected: Expectation, rule: BodyRule | None
    ) -> None:
        answer = submitted.answer if isinstance(submitted, Submitted) else submitted
        out.rows.append(judge("upload", case, cases.label("upload", detail), answer, expected, rule))

    add("valid PNG", "image=valid.png (64x64)", d.upload(png(), "valid.png"), ok, job_id_rule)
    big = large_png(s.large_image_bytes)
    add(
        f"PNG over {s.large_image_bytes} bytes",
        f"image=large.png ({len(big)} bytes)",
        d.upload(big, "large.png"),
        ok,
        job_id_rule,
    )
    method, path = d.routes()["upload"]
    no_file = d.client.send(
        method, path, data={"note": "no image here"}, files={"other": ("a.txt", b"x", "text/plain")}
    )
    add("no file field", "multipart without 'image'", no_file, missing, error_rule)
    add("fake image", "image=fake.png (PNG header + random bytes)", d.upload(fake_png(), "fake.png"), bad, error_rule)
    add("truncated PNG", "image=cut.png (half a PNG)", d.upload(truncated_png(), "cut.png"), bad, error_rule)
    add(
        "text named .png",
        "image=fake.png ('This is not an image')",
        d.upload(b"This is not an image", "fake.png"),
        bad,
        error_rule,
    )
    add(
        "JSON instead of multipart",
        "JSON body {'image': 'x'}",
        d.client.send(method, path, json={"image": "x"}),
        bad,
        error_rule,
    )
    first, second = d.upload(png(seed=11), "one.png"), d.upload(png(seed=12), "two.png")
    both = bool(first.job_id and second.job_id)
    distinct = both and first.job_id != second.job_id
    problem = (
        "" if distinct else (f"both uploads got job id {first.job_id}" if both else "an upload failed or had no job_id")
    )
    got = f"{first.answer.status} {first.job_id} / {second.answer.status} {second.job_id}"
    out.rows.append(
        Row(
            "upload",
            "two uploads -> distinct job ids",
            cases.label("upload", "twice"),
            "two distinct ids",
            "default",
            got,
            distinct,
            problem,
        )
    )
    return out


# --- text-to-image ---------------------------------------------------------------------------


def text_rows(cases: Cases) -> FamilyResult:
    d, s, out = cases.dialect, cases.settings, FamilyResult()
    ok = cases.expect("text_to_image", plausible=SUCCESS, default=SUCCESS)
    bad = cases.expect("text_to_image", plausible=BAD_INPUT, default=(400,))

    def add(case: str, body: Any, expected: Expectation, rule: BodyRule | None, *, follow: bool = False) -> None:
        submitted = d.text_to_image(body)
        shown = str(body) if len(str(body)) <= 80 else f"{str(body)[:60]}… ({len(str(body))} chars)"
        row = judge("text_to_image", case, cases.label("text_to_image", shown), submitted.answer, expected, rule)
        if row.ok and follow and submitted.job_id:
            job = d.follow(submitted.job_id, timeout_s=s.job_timeout_s)
            url = d.image_location(job, submitted) if job.succeeded else ""
            if url:
                out.images.append((case, url))
            elif job.problem or not job.succeeded:
                why = job.problem or f"the job ended {job.state!r}: {job.body}"
                row = Row(*list(row.__dict__.values())[:6], False, f"the image never appeared: {why}")
        out.rows.append(row)

    add("simple prompt", {"prompt": "a bronze fox statue on a plinth"}, ok, job_id_rule, follow=True)
    add("missing prompt", {}, bad, error_rule)
    add("empty prompt", {"prompt": ""}, bad, error_rule)
    add("blank prompt", {"prompt": "   "}, bad, error_rule)
    long_prompt = ("a very detailed castle " * (s.long_prompt_chars // 23 + 1))[: s.long_prompt_chars]
    add(f"long prompt ({s.long_prompt_chars} chars)", {"prompt": long_prompt}, ok, job_id_rule)
    for style in s.styles:
        add(f"style {style}", {"prompt": "a lighthouse at dusk", "style": style}, ok, job_id_rule)
    method, path = d.routes()["text_to_image"]
    raw = d.client.send(
        method, path, content=b"prompt=a fox", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    out.rows.append(
        judge("text_to_image", "no JSON body", cases.label("text_to_image", "form-encoded body"), raw, bad, error_rule)
    )
    return out


# --- generate-3d and job status --------------------------------------------------------------


def generate_rows(cases: Cases) -> FamilyResult:
    d, s, out = cases.dialect, cases.settings, FamilyResult()
    ok = cases.expect("generate_3d", plausible=SUCCESS, default=SUCCESS)
    bad = cases.expect("generate_3d", plausible=BAD_INPUT, default=(400,))
    for index, (file_format, quality) in enumerate((f, q) for f in s.formats for q in s.qualities):
        source = d.upload(png(seed=100 + index), f"source{index}.png")
        body = d.generate_body(source.job_id or "missing-upload", file_format, quality)
        started = d.generate_3d(body)
        row = judge(
            "generate_3d",
            f"{file_format} quality {quality}",
            cases.label("generate_3d", str(body)),
            started.answer,
            ok,
            job_id_rule,
        )
        out.rows.append(row)
        if row.ok and started.job_id:
            job = d.follow(started.job_id, timeout_s=s.job_timeout_s)
            url, name = d.result_location(job, started) if job.succeeded else ("", "")
            out.meshes.append(MeshJob(file_format, quality, job, url, name))
    missing = d.generate_3d({"format": s.formats[0]})
    out.rows.append(
        judge(
            "generate_3d",
            "without job id",
            cases.label("generate_3d", "{'format': ...}"),
            missing.answer,
            bad,
            error_rule,
        )
    )
    malformed = "not-a-job-id"
    answer = d.generate_3d(d.generate_body(malformed, s.formats[0], 5)).answer
    expected = cases.expect("generate_3d", plausible=(400, 404, 422), default=(400,))
    out.rows.append(
        judge(
            "generate_3d",
            "malformed job id",
            cases.label("generate_3d", f"job_id={malformed}"),
            answer,
            expected,
            error_rule,
        )
    )
    unknown = str(uuid.uuid4())
    answer = d.generate_3d(d.generate_body(unknown, s.formats[0], 5)).answer
    out.rows.append(_unknown_row(cases, unknown, answer))
    method, path = d.routes()["generate_3d"]
    raw = d.client.send(
        method, path, content=b"job_id=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    out.rows.append(
        judge("generate_3d", "no JSON body", cases.label("generate_3d", "form-encoded body"), raw, bad, error_rule)
    )
    for case, job_id in (("status of unknown id", str(uuid.uuid4())), ("status of malformed id", malformed)):
        expected = cases.expect("job_status", plausible=(404, 400), default=(404,))
        status = d.job_status(job_id)
        out.rows.append(
            judge("job_status", case, cases.label("job_status", f"job_id={job_id}"), status, expected, error_rule)
        )
    return out


def _unknown_row(cases: Cases, unknown: str, answer: Exchange) -> Row:
    """A well-formed id nobody issued: refused (404/400), or accepted and its job must end failed."""
    d = cases.dialect
    expected = cases.expect("generate_3d", plausible=(*SUCCESS, 400, 404, 422), default=(*SUCCESS, 400, 404))
    row = judge("generate_3d", "unknown job id", cases.label("generate_3d", f"job_id={unknown}"), answer, expected)
    if not (row.ok and answer.ok):
        return row
    job = d.follow(unknown, timeout_s=cases.settings.job_timeout_s)
    if job.terminal and not job.succeeded:
        return Row(*list(row.__dict__.values())[:5], f"{answer.status}, then job {job.state}: {job.body}", True)
    why = job.problem or f"its job ended {job.state!r}"
    return Row(*list(row.__dict__.values())[:5], row.got, False, f"accepted an id nobody issued and {why}")
