"""The seed's cases as an explicit table: one row per request, expected against what came back.

`judge` turns an exchange into a row (pure, tested without a network); the `*_rows` functions
send each family's requests through a `StudioClient` and return its rows plus what later checks
need (the images and meshes it produced).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ._client import Exchange, StudioClient
from ._samples import fake_png, large_png, png, truncated_png

BodyRule = Callable[[Exchange], str]


@dataclass(frozen=True)
class Row:
    family: str
    case: str
    request: str
    expected: str
    got: str
    ok: bool
    problem: str = ""


@dataclass(frozen=True)
class MeshJob:
    """A 3D job a case started: what was asked, and where its result is."""

    format: str
    quality: int
    job_id: str
    result_url: str
    source_job_id: str


@dataclass
class FamilyResult:
    rows: list[Row] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)  # (case, image URL)
    meshes: list[MeshJob] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)


def judge(
    family: str, case: str, request: str, answer: Exchange, statuses: Sequence[int], rule: BodyRule | None = None
) -> Row:
    """A row: `answer` must have one of `statuses` and, if given, satisfy `rule` (which names what is wrong)."""
    expected = " or ".join(str(status) for status in statuses)
    if rule is not None:
        expected += f" ({getattr(rule, '__doc__', '') or 'body checked'})".rstrip()
    if answer.status is None:
        return Row(family, case, request, expected, answer.brief(), False, f"no answer ({answer.error})")
    if answer.status not in statuses:
        wanted = " or ".join(str(status) for status in statuses)
        return Row(family, case, request, expected, answer.brief(), False, f"expected {wanted}, got {answer.status}")
    problem = rule(answer) if rule is not None else ""
    return Row(family, case, request, expected, answer.brief(), not problem, problem)


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
        return "the error body is not JSON with a detail, error or message"
    return ""


def image_job_rule(answer: Exchange) -> str:
    """with job_id and image_url"""
    missing = job_id_rule(answer)
    body = answer.json()
    if not missing and not (isinstance(body, dict) and isinstance(body.get("image_url"), str) and body["image_url"]):
        missing = "the body has no image_url"
    return missing


def failures(rows: Sequence[Row]) -> list[str]:
    """One problem per failing row, naming the family and the row."""
    return [f"{row.family} row '{row.case}': {row.problem}; got {row.got}" for row in rows if not row.ok]


def frame(rows: Sequence[Row]) -> pd.DataFrame:
    columns = ["family", "case", "request", "expected", "got", "ok", "problem"]
    return pd.DataFrame([row.__dict__ for row in rows], columns=columns)


def _job_id(answer: Exchange) -> str:
    body = answer.json()
    return str(body["job_id"]) if isinstance(body, dict) and isinstance(body.get("job_id"), str) else ""


# --- upload ----------------------------------------------------------------------------------


def upload_rows(client: StudioClient) -> FamilyResult:
    s, out, path = client.settings, FamilyResult(), client.settings.paths["upload"]

    def add(case: str, request: str, answer: Exchange, statuses: Sequence[int], rule: BodyRule | None) -> None:
        out.rows.append(judge("upload", case, f"POST {path} {request}", answer, statuses, rule))
        if answer.ok and _job_id(answer):
            out.job_ids.append(_job_id(answer))

    add("valid PNG", "image=valid.png (64x64)", client.upload(png(), "valid.png"), [200, 201], job_id_rule)
    big = large_png(s.large_image_bytes)
    add(
        f"PNG over {s.large_image_bytes} bytes",
        f"image=large.png ({len(big)} bytes)",
        client.upload(big, "large.png"),
        [200, 201],
        job_id_rule,
    )
    no_file = client.request(
        "POST", client.url("upload"), data={"note": "no image here"}, files={"other": ("a.txt", b"x", "text/plain")}
    )
    add("no file field", "multipart without 'image'", no_file, [400], error_rule)
    add(
        "fake image",
        "image=fake.png (PNG header + random bytes)",
        client.upload(fake_png(), "fake.png"),
        [415],
        error_rule,
    )
    add("truncated PNG", "image=cut.png (half a PNG)", client.upload(truncated_png(), "cut.png"), [415], error_rule)
    add(
        "JSON instead of multipart",
        "JSON body {'image': 'x'}",
        client.request("POST", client.url("upload"), json={"image": "x"}),
        [400, 415],
        error_rule,
    )
    first, second = client.upload(png(seed=11), "one.png"), client.upload(png(seed=12), "two.png")
    ids = [_job_id(first), _job_id(second)]
    if first.ok and second.ok and all(ids):
        distinct = ids[0] != ids[1]
        got = f"{first.status} {ids[0]} / {second.status} {ids[1]}"
        problem = "" if distinct else f"both uploads got job id {ids[0]}"
        out.rows.append(
            Row(
                "upload",
                "two uploads -> distinct job ids",
                f"POST {path} twice",
                "200 twice, two ids",
                got,
                distinct,
                problem,
            )
        )
        out.job_ids.extend(ids if distinct else ids[:1])
    else:
        bad = first if not (first.ok and ids[0]) else second
        out.rows.append(
            Row(
                "upload",
                "two uploads -> distinct job ids",
                f"POST {path} twice",
                "200 twice, two ids",
                bad.brief(),
                False,
                "an upload failed or had no job_id",
            )
        )
    return out


# --- text-to-image ---------------------------------------------------------------------------


def text_rows(client: StudioClient) -> FamilyResult:
    s, out, path = client.settings, FamilyResult(), client.settings.paths["text_to_image"]

    def add(case: str, body: Any, statuses: Sequence[int], rule: BodyRule | None) -> None:
        answer = client.post_json("text_to_image", body)
        shown = str(body) if len(str(body)) <= 80 else f"{str(body)[:60]}… ({len(str(body))} chars)"
        out.rows.append(judge("text_to_image", case, f"POST {path} {shown}", answer, statuses, rule))
        data = answer.json()
        if answer.ok and isinstance(data, dict) and isinstance(data.get("image_url"), str):
            out.images.append((case, data["image_url"]))

    add("simple prompt", {"prompt": "a bronze fox statue on a plinth"}, [200, 201, 202], image_job_rule)
    add("missing prompt", {}, [400], error_rule)
    add("empty prompt", {"prompt": ""}, [400], error_rule)
    add("blank prompt", {"prompt": "   "}, [400], error_rule)
    long_prompt = ("a very detailed castle " * (s.long_prompt_chars // 23 + 1))[: s.long_prompt_chars]
    add(f"long prompt ({s.long_prompt_chars} chars)", {"prompt": long_prompt}, [200, 201, 202], image_job_rule)
    for style in s.styles:
        add(f"style {style}", {"prompt": "a lighthouse at dusk", "style": style}, [200, 201, 202], image_job_rule)
    return out


# --- generate-3d -----------------------------------------------------------------------------


def generate_rows(client: StudioClient) -> FamilyResult:
    s, out, path = client.settings, FamilyResult(), client.settings.paths["generate_3d"]
    source = client.upload(png(seed=21), "source.png")
    source_id = _job_id(source) if source.ok else ""
    if not source_id:
        out.rows.append(
            Row(
                "generate_3d",
                "source upload",
                f"POST {s.paths['upload']}",
                "200 with a job_id",
                source.brief(),
                False,
                "could not upload the source image",
            )
        )
    for file_format in s.formats:
        for quality in s.qualities:
            body = {"job_id": source_id or "missing-upload", "format": file_format, "quality": quality}
            answer = client.post_json("generate_3d", body)
            row = judge(
                "generate_3d",
                f"{file_format} quality {quality}",
                f"POST {path} {body}",
                answer,
                [200, 201, 202],
                job_id_rule,
            )
            out.rows.append(row)
            data = answer.json()
            if row.ok and isinstance(data, dict):
                job_id = str(data["job_id"])
                url = str(data.get("result_url") or s.paths["result"].format(job_id=job_id))
                out.meshes.append(MeshJob(file_format, quality, job_id, url, source_id))
    missing = client.post_json("generate_3d", {"format": s.formats[0]})
    out.rows.append(
        judge("generate_3d", "without job id", f"POST {path} {{'format': ...}}", missing, [400], error_rule)
    )
    unknown_id = uuid.uuid4().hex
    unknown = client.post_json("generate_3d", {"job_id": unknown_id, "format": s.formats[0]})
    out.rows.append(
        judge("generate_3d", "unknown job id", f"POST {path} job_id={unknown_id}", unknown, [404], error_rule)
    )
    return out
