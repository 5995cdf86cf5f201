"""The seed's cases as an explicit table: one row per request, its acceptable answers, what came back.

A row's acceptable answers come from the platform's contract when it publishes one (`_spec.py`),
else from the row's default, and the row says which. `judge` is pure (tested without a network);
the `*_rows` functions send each family's requests through a dialect and also return what later
checks need (the finished 3D jobs and generated images). A row that fails carries the fix for
exactly its defect (`remedy`), shown only when that row failed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
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

# The fix for each kind of failing row (shown only when such a row failed).
VERIFY_IMAGE = "Decode and verify the image before accepting it: 400 (or 415) for anything that is not one."
NEVER_500 = "Answer 400 for a request without a JSON body or a required field, never 500."
VALID_ID = "Validate job_id before use: 400 (or 404) for a malformed id, never 500."
UNKNOWN_ID = "Answer 404 for a job id nobody issued (or end its job failed)."
FORM = "application/x-www-form-urlencoded"


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
    remedy: str = ""  # the fix for this row's defect, shown only when the row failed


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
    family: str,
    case: str,
    request: str,
    answer: Exchange,
    expected: Expectation,
    rule: BodyRule | None = None,
    *,
    remedy: str = "",
) -> Row:
    """A row: `answer` must have one of the expected statuses and, if given, satisfy `rule`."""
    wanted = expected.text() + (f" ({rule.__doc__})" if rule is not None and rule.__doc__ else "")
    row = Row(family, case, request, wanted, expected.source, answer.brief(), True, "", remedy)
    if answer.status is None:
        return replace(row, ok=False, problem=f"no answer ({answer.error})")
    if not expected.accepts(answer.status):
        return replace(row, ok=False, problem=f"expected {expected.text()} ({expected.source}), got {answer.status}")
    problem = rule(answer) if rule is not None and answer.ok else ""
    return replace(row, ok=not problem, problem=problem)


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


def failure(row: Row) -> str:
    """The problem of a failing row, naming the family and the row."""
    return f"{row.family} row '{row.case}': {row.problem}; got {row.got}"


def failures(rows: Iterable[Row]) -> list[str]:
    """One problem per failing row."""
    return [failure(row) for row in rows if not row.ok]


def frame(rows: Iterable[Row]) -> pd.DataFrame:
    return pd.DataFrame([{key: getattr(row, key) for key in COLUMNS} for row in rows], columns=COLUMNS)


# --- upload ----------------------------------------------------------------------------------


def upload_rows(cases: Cases) -> FamilyResult:
    d, s, out = cases.dialect, cases.settings, FamilyResult()
    ok = cases.expect("upload", plausible=SUCCESS, default=(200, 201))
    bad = cases.expect("upload", plausible=BAD_INPUT, default=(400, 415))
    missing = cases.expect("upload", plausible=(400, 422), default=(400,))

    def add(
        case: str,
        detail: str,
        submitted: Submitted | Exchange,
        expected: Expectation,
        rule: BodyRule | None,
        remedy: str = "",
    ) -> None:
        answer = submitted.answer if isinstance(submitted, Submitted) else submitted
        out.rows.append(judge("upload", case, cases.label("upload", detail), answer, expected, rule, remedy=remedy))

    add("valid PNG", "image=valid.png (64x64)", d.upload(png(), "valid.png"), ok, job_id_rule)
    big = large_png(s.large_image_bytes)
    add(
        f"PNG over {s.large_image_bytes} bytes",
        f"image=large.png ({len(big)} bytes)",
        d.upload(big, "large.png"),
        ok,
        job_id_rule,
    )
    no_file = d.send("upload", data={"note": "no image here"}, files={"other": ("a.txt", b"x", "text/plain")})
    add("no file field", "multipart without 'image'", no_file, missing, error_rule, NEVER_500)
    fake = d.upload(fake_png(), "fake.png")
    add("fake image", "image=fake.png (PNG header + random bytes)", fake, bad, error_rule, VERIFY_IMAGE)
    cut = d.upload(truncated_png(), "cut.png")
    add("truncated PNG", "image=cut.png (half a PNG)", cut, bad, error_rule, VERIFY_IMAGE)
    text = d.upload(b"This is not an image", "fake.png")
    add("text named .png", "image=fake.png ('This is not an image')", text, bad, error_rule, VERIFY_IMAGE)
    as_json = d.send("upload", json={"image": "x"})
    add("JSON instead of multipart", "JSON body {'image': 'x'}", as_json, bad, error_rule, VERIFY_IMAGE)
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
            "Give every upload its own job id.",
        )
    )
    return out


# --- text-to-image ---------------------------------------------------------------------------


def text_rows(cases: Cases) -> FamilyResult:
    d, s, out = cases.dialect, cases.settings, FamilyResult()
    ok = cases.expect("text_to_image", plausible=SUCCESS, default=SUCCESS)
    bad = cases.expect("text_to_image", plausible=BAD_INPUT, default=(400,))

    def add(
        case: str, body: Any, expected: Expectation, rule: BodyRule | None, *, follow: bool = False, remedy: str = ""
    ) -> None:
        submitted = d.text_to_image(body)
        shown = str(body) if len(str(body)) <= 80 else f"{str(body)[:60]}… ({len(str(body))} chars)"
        label = cases.label("text_to_image", shown)
        row = judge("text_to_image", case, label, submitted.answer, expected, rule, remedy=remedy)
        if row.ok and follow and submitted.job_id:
            job = d.follow(submitted.job_id, timeout_s=s.job_timeout_s)
            url = d.image_location(job, submitted) if job.succeeded else ""
            if url:
                out.images.append((case, url))
            elif job.problem or not job.succeeded:
                why = job.problem or f"the job ended {job.state!r}: {job.body}"
                row = replace(row, ok=False, problem=f"the image never appeared: {why}")
        out.rows.append(row)

    prompt_rule = "Validate the prompt (present, a non-blank string) before queueing a job: 400."
    add("simple prompt", {"prompt": "a bronze fox statue on a plinth"}, ok, job_id_rule, follow=True)
    add("missing prompt", {}, bad, error_rule, remedy=prompt_rule)
    add("empty prompt", {"prompt": ""}, bad, error_rule, remedy=prompt_rule)
    add("blank prompt", {"prompt": "   "}, bad, error_rule, remedy=prompt_rule)
    long_prompt = ("a very detailed castle " * (s.long_prompt_chars // 23 + 1))[: s.long_prompt_chars]
    add(f"long prompt ({s.long_prompt_chars} chars)", {"prompt": long_prompt}, ok, job_id_rule)
    for style in s.styles:
        add(f"style {style}", {"prompt": "a lighthouse at dusk", "style": style}, ok, job_id_rule)
    raw = d.send("text_to_image", content=b"prompt=a fox", headers={"content-type": FORM})
    label = cases.label("text_to_image", "form-encoded body")
    out.rows.append(judge("text_to_image", "no JSON body", label, raw, bad, error_rule, remedy=NEVER_500))
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
        label = cases.label("generate_3d", str(body))
        row = judge("generate_3d", f"{file_format} quality {quality}", label, started.answer, ok, job_id_rule)
        if row.ok and started.job_id:
            job = d.follow(started.job_id, timeout_s=s.job_timeout_s)
            url, name = d.result_location(job, started) if job.succeeded else ("", "")
            out.meshes.append(MeshJob(file_format, quality, job, url, name))
            if not job.succeeded:
                # The platform's own words for why generation failed: the finding, as it is.
                why = job.problem or f"the job ended {job.state!r}: {job.body}"
                row = replace(row, ok=False, problem=f"accepted, then {why}")
        out.rows.append(row)
    out.rows.append(repeat_row(cases))
    missing = d.generate_3d({"format": s.formats[0]})
    label = cases.label("generate_3d", "{'format': ...}")
    out.rows.append(judge("generate_3d", "without job id", label, missing.answer, bad, error_rule, remedy=NEVER_500))
    malformed = "not-a-job-id"
    answer = d.generate_3d(d.generate_body(malformed, s.formats[0], 5)).answer
    expected = cases.expect("generate_3d", plausible=(400, 404, 422), default=(400,))
    label = cases.label("generate_3d", f"job_id={malformed}")
    out.rows.append(judge("generate_3d", "malformed job id", label, answer, expected, error_rule, remedy=VALID_ID))
    unknown = str(uuid.uuid4())
    answer = d.generate_3d(d.generate_body(unknown, s.formats[0], 5)).answer
    out.rows.append(_unknown_row(cases, unknown, answer))
    raw = d.send("generate_3d", content=b"job_id=x", headers={"content-type": FORM})
    label = cases.label("generate_3d", "form-encoded body")
    out.rows.append(judge("generate_3d", "no JSON body", label, raw, bad, error_rule, remedy=NEVER_500))
    for case, job_id in (("status of unknown id", str(uuid.uuid4())), ("status of malformed id", malformed)):
        expected = cases.expect("job_status", plausible=(404, 400), default=(404,))
        status = d.job_status(job_id)
        label = cases.label("job_status", f"job_id={job_id}")
        out.rows.append(judge("job_status", case, label, status, expected, error_rule, remedy=UNKNOWN_ID))
    return out


def repeat_row(cases: Cases) -> Row:
    """generate-3d twice for one upload: the second, sent while the first job runs, must be refused
    (ORFEAS: 409 "Generation already in progress"). A second 200 is a defect only when the job
    status read just before it showed the first job still running; that status read is the
    evidence the verdict rests on (a job that ends in the milliseconds between the read and the
    repeat would be misjudged, so the repeat follows the read at once)."""
    d, s = cases.dialect, cases.settings
    conflict = cases.expect("generate_3d", plausible=(409,), default=(409,))
    source = d.upload(png(seed=90), "repeat.png")
    body = d.generate_body(source.job_id or "missing-upload", s.formats[0], s.qualities[0])
    label = cases.label("generate_3d", f"{body} twice")
    first = d.generate_3d(body)
    if not (first.answer.ok and first.job_id):
        row = judge("generate_3d", "repeat while running", label, first.answer, conflict)
        return replace(row, ok=False, problem=f"the first generate-3d was not accepted ({first.answer.brief()})")
    before = d.job_status(first.job_id)
    second = d.generate_3d(body)
    status = before.json()
    state, ended = "(no status yet)", False
    if before.ok and isinstance(status, dict):
        state, ended, _ = d.state_of(status)
    remedy = "Refuse a second generation for an upload whose job still runs (409), or run the repeat as its own job."
    row = judge("generate_3d", "repeat while running", label, second.answer, conflict, error_rule, remedy=remedy)
    if row.ok:
        return row
    if second.answer.ok and ended:
        return replace(row, ok=True, problem="", got=f"{row.got} (the first job had already ended {state!r})")
    if second.answer.ok:
        accepted = f"a second generation was accepted while the first job was {state!r}"
        return replace(row, problem=f"{accepted}; {row.problem}")
    return row


def _unknown_row(cases: Cases, unknown: str, answer: Exchange) -> Row:
    """A well-formed id nobody issued: refused (404/400), or accepted and its job must end failed."""
    d = cases.dialect
    expected = cases.expect("generate_3d", plausible=(*SUCCESS, 400, 404, 422), default=(*SUCCESS, 400, 404))
    label = cases.label("generate_3d", f"job_id={unknown}")
    row = judge("generate_3d", "unknown job id", label, answer, expected, remedy=UNKNOWN_ID)
    if not (row.ok and answer.ok):
        return row
    job = d.follow(unknown, timeout_s=cases.settings.job_timeout_s)
    if job.terminal and not job.succeeded:
        return replace(row, got=f"{answer.status}, then job {job.state}: {job.body}")
    why = job.problem or f"its job ended {job.state!r}"
    return replace(row, ok=False, problem=f"accepted an id nobody issued and {why}")
