"""The contract logic without a network: case judging, soak control flow, mesh and security
inspectors, readiness and health verdicts, settings. Wrong answers are handed over on purpose."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
import trimesh
from PIL import Image

from workbook import UsageError
from workbook.contract import (
    ContractSettings,
    Exchange,
    Readiness,
    StudioClient,
    Tick,
    cors_problems,
    failures,
    health_problems,
    inspect_mesh,
    judge,
    leak,
    outcome,
    run_series,
    sniff_format,
    traversal_problems,
    upload_rows,
)

from .conftest import notebook_defaults


def settings(**overrides: Any) -> ContractSettings:
    return ContractSettings.of(**{**notebook_defaults(), "base_url": "http://studio.test", **overrides})


def answer(
    status: int | None, body: bytes = b"", *, error: str = "", headers: dict[str, str] | None = None
) -> Exchange:
    return Exchange(
        "POST", "http://studio.test/api/x", status, headers or {"content-type": "application/json"}, body, 0.01, error
    )


# --- case table ------------------------------------------------------------------------------


def test_judge_names_the_row_and_what_came_back() -> None:
    good = judge("upload", "valid PNG", "POST /api/upload-image", answer(200, b'{"job_id": "a1"}'), [200], None)
    wrong = judge("upload", "fake image", "POST /api/upload-image", answer(200, b'{"job_id": "a2"}'), [415], None)
    silent = judge(
        "upload", "no file field", "POST /api/upload-image", answer(None, error="ReadTimeout after 2.00 s"), [400]
    )
    assert good.ok and not wrong.ok and not silent.ok
    assert failures([good, wrong, silent]) == [
        'upload row \'fake image\': expected 415, got 200; got 200 {"job_id": "a2"}',
        "upload row 'no file field': no answer (ReadTimeout after 2.00 s); got ReadTimeout after 2.00 s",
    ]


def test_a_server_that_accepts_everything_fails_every_negative_upload_row() -> None:
    """The wrong answer on purpose: 200 with one fixed job id for every request."""

    def accept_all(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"job_id": "same", "status": "uploaded"})

    client = StudioClient(settings(large_image_bytes=1000), transport=httpx.MockTransport(accept_all))
    rows = {row.case: row for row in upload_rows(client).rows}
    assert rows["valid PNG"].ok
    failing = {case for case, row in rows.items() if not row.ok}
    assert failing == {
        "no file field",
        "fake image",
        "truncated PNG",
        "JSON instead of multipart",
        "two uploads -> distinct job ids",
    }
    assert rows["two uploads -> distinct job ids"].problem == "both uploads got job id same"


# --- soak ------------------------------------------------------------------------------------


def test_run_series_finds_the_first_stall_and_stops_after_max_stalls() -> None:
    script = [answer(200), answer(200), answer(None, error="ReadTimeout after 2.00 s")] + [
        answer(None, error="ReadTimeout after 2.00 s")
    ] * 5
    sent: list[int] = []

    def send(index: int) -> Exchange:
        sent.append(index)
        return script[index - 1]

    series = run_series(send, endpoint="text_to_image", mode="keep-alive", requests=8, max_stalls=2, deadline=1e12)
    assert sent == [1, 2, 3, 4]
    assert series.first_failure is not None and series.first_failure.index == 3
    assert series.stopped == "stopped after 2 failed requests in a row"
    assert series.problems() == [
        "keep-alive text_to_image: server stopped responding after request 2 "
        "(request 3 stall: ReadTimeout after 2.00 s)"
    ]


def test_run_series_keeps_to_its_deadline_and_classifies_resets() -> None:
    ticks = iter([0.0, 0.5, 1.5])
    series = run_series(
        lambda index: answer(None, error="RemoteProtocolError: Server disconnected"),
        endpoint="health",
        mode="fresh",
        requests=10,
        max_stalls=5,
        deadline=1.0,
        clock=lambda: next(ticks),
    )
    assert [s.outcome for s in series.samples] == ["reset", "reset"]
    assert series.stopped == "time budget reached after 2 requests"
    assert outcome(answer(500)) == "http_error" and outcome(answer(204)) == "ok"


def test_healthy_series_has_percentiles_and_no_problems() -> None:
    series = run_series(
        lambda index: answer(200), endpoint="health", mode="fresh", requests=20, max_stalls=1, deadline=1e12
    )
    assert series.problems() == [] and series.percentiles()["p50_ms"] == pytest.approx(10.0)


# --- meshes ----------------------------------------------------------------------------------

ASCII_STL = b"""solid tetra
  facet normal 0 0 -1
    outer loop
      vertex 0 0 0
      vertex 1 0 0
      vertex 0 1 0
    endloop
  endfacet
  facet normal 0 -1 0
    outer loop
      vertex 0 0 0
      vertex 0 0 1
      vertex 1 0 0
    endloop
  endfacet
  facet normal -1 0 0
    outer loop
      vertex 0 0 0
      vertex 0 1 0
      vertex 0 0 1
    endloop
  endfacet
  facet normal 0.577 0.577 0.577
    outer loop
      vertex 1 0 0
      vertex 0 0 1
      vertex 0 1 0
    endloop
  endfacet
endsolid tetra
"""
# The layout Blender and most DCC tools write: comments, mtllib, o, v/vt/vn and v/vt/vn faces.
BLENDER_OBJ = b"""# Blender v2.93 OBJ File: ''
# www.blender.org
mtllib quad.mtl
o Plane
v -1.000000 0.000000 1.000000
v 1.000000 0.000000 1.000000
v -1.000000 0.000000 -1.000000
v 1.000000 0.000000 -1.000000
vt 0.000000 0.000000
vt 1.000000 0.000000
vt 1.000000 1.000000
vt 0.000000 1.000000
vn 0.0000 1.0000 0.0000
usemtl None
s off
f 1/1/1 2/2/1 4/3/1
f 1/1/1 4/3/1 3/4/1
"""


def exported(file_type: str) -> bytes:
    out = trimesh.creation.box().export(file_type=file_type)
    return out.encode() if isinstance(out, str) else bytes(out)


@pytest.mark.parametrize("file_type", ["stl", "obj", "glb"])
def test_real_meshes_pass_and_their_halves_fail(file_type: str) -> None:
    data = exported(file_type)
    report = inspect_mesh(data, file_type, "application/octet-stream")
    assert report.ok and report.found == file_type and report.faces == 12
    assert not inspect_mesh(data[: len(data) // 2], file_type).ok


def test_real_world_text_formats_parse() -> None:
    stl = inspect_mesh(ASCII_STL, "stl", "model/stl")
    obj = inspect_mesh(BLENDER_OBJ, "obj", "model/obj")
    assert stl.ok and stl.faces == 4, stl.problems
    assert obj.ok and obj.faces == 2, obj.problems


def test_wrong_format_and_non_meshes_fail_negative_control() -> None:
    assert inspect_mesh(exported("stl"), "glb").problems == ["asked for glb but the content is stl"]
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(buffer, format="PNG")
    picture = inspect_mesh(buffer.getvalue(), "stl", "image/png")
    assert not picture.ok and sniff_format(buffer.getvalue()) is None
    assert any("Content-Type 'image/png' does not name stl" in p for p in picture.problems)
    assert inspect_mesh(b"", "obj").problems[0] == "the result is empty"


# --- security, health, readiness ---------------------------------------------------------------


def test_leak_finds_traces_in_json_bodies_and_not_in_plain_errors() -> None:
    body = (
        b'{"detail": "Invalid image file", '
        b'"traceback": "Traceback (most recent call last):\\n  File \\"/srv/app/routes.py\\", line 12"}'
    )
    assert leak(body) == "Traceback (most recent call last)"
    assert leak(b'{"detail": "File too large"}') == ""
    assert leak(b'{"detail": "error in C:\\\\srv\\\\app\\\\main.py"}') != ""


def test_cors_wildcard_and_missing_grant_are_named() -> None:
    allowed_ok = answer(200, headers={"access-control-allow-origin": "http://localhost:3000"})
    wildcard = answer(200, headers={"access-control-allow-origin": "*"})
    assert cors_problems([("http://localhost:3000", allowed_ok)], "https://evil.example", [answer(400)]) == []
    found = cors_problems([("http://localhost:3000", answer(400))], "https://evil.example", [wildcard])
    assert len(found) == 2 and "foreign origin https://evil.example" in found[1]


def test_traversal_is_judged_by_the_file_system(tmp_path: Path) -> None:
    uploads = tmp_path / "srv" / "uploads"
    uploads.mkdir(parents=True)
    raw = "../../wb-traversal-test.png"
    accepted = answer(200, b'{"job_id": "j", "filename": "wb-traversal-test.png"}')
    assert traversal_problems(accepted, raw, str(uploads)) == ([], [])
    (tmp_path / "wb-traversal-test.png").write_bytes(b"x")  # what a traversal bug leaves behind
    problems, strays = traversal_problems(accepted, raw, str(uploads))
    assert strays == [tmp_path / "wb-traversal-test.png"]
    assert problems == [
        f"a filename with ../ was written outside the upload folder: {tmp_path / 'wb-traversal-test.png'}"
    ]
    assert traversal_problems(answer(400), raw, str(uploads)) == ([], [])


def test_health_problems_name_status_json_and_time() -> None:
    text = Exchange("GET", "u", 200, {"content-type": "text/plain"}, b"OK", 0.01)
    slow = Exchange("GET", "u", 200, {"content-type": "application/json"}, b"{}", 3.0)
    assert health_problems([text, slow, answer(503)], 1.0) == [
        "health request 1: body is not JSON (text/plain)",
        "health request 2: took 3.000 s, budget 1 s",
        "health request 3: expected 200, got 503",
    ]


def test_readiness_verdicts() -> None:
    lying = Readiness(
        "restart", [Tick(0.1, 200, 503, 0.01, "503 warming up"), Tick(1.2, 200, 200, 0.01, "200")], 1.2, 0.1, 200
    )
    assert lying.problems(5.0) == [
        "/ready answered 200 at +0.10 s while an upload right after answered 503 warming up: "
        "readiness is reported before the routes work"
    ]
    slow = Readiness("restart", [Tick(0.1, 503, 503, 0.01, "503"), Tick(4.2, 200, 200, 3.1, "200")], 4.2, 4.2, 200)
    assert slow.problems(3.0) == [
        "first working upload 4.20 s after restart, budget 3 s; that upload alone took 3.10 s (a slow first request)"
    ]
    honest = Readiness("restart", [Tick(0.1, 503, 503, 0.01, "503"), Tick(1.1, 200, 200, 0.01, "200")], 1.1, 1.1, 200)
    assert honest.problems(3.0) == []


def test_settings_reject_bad_values_with_one_line_each() -> None:
    with pytest.raises(UsageError) as raised:
        settings(base_url="studio:5000", paths={"health": "health"}, soak_requests=0, formats=["fbx"])
    lines = str(raised.value).splitlines()
    assert len(lines) == 4
    assert any("base_url" in line and "http://" in line for line in lines)
    assert any("paths" in line and "missing" in line for line in lines)
    with pytest.raises(UsageError, match="template containing"):
        settings(paths={**notebook_defaults()["paths"], "job": "/api/jobs"})
    with pytest.raises(UsageError, match="also in cors_allowed_origins"):
        settings(cors_denied_origin="http://localhost:3000")


def test_exchange_brief_is_short() -> None:
    assert answer(415, b'{"detail": "' + b"x" * 500 + b'"}').brief().endswith("…")
