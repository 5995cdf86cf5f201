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

from workbook import CouldNotCheck, ErrorReason, UsageError
from workbook.contract import (
    Cases,
    ContractSettings,
    Exchange,
    OrfeasDialect,
    Readiness,
    Reuse,
    Row,
    StudioClient,
    Tick,
    cors_problems,
    document_problems,
    expectation,
    failures,
    generate_rows,
    health_problems,
    inspect_mesh,
    judge,
    leak,
    outcome,
    path_routes,
    probe_downloads,
    reached,
    repeat_row,
    run_series,
    sniff_format,
    targets_for,
    traversal_problems,
    upload_rows,
)

from .conftest import notebook_defaults, profile_for


def settings(**overrides: Any) -> ContractSettings:
    return ContractSettings.of(**{**notebook_defaults(), "services": profile_for("http://studio.test"), **overrides})


def mock_client(handler: Any) -> StudioClient:
    return StudioClient(settings().profile, transport=httpx.MockTransport(handler))


def answer(
    status: int | None, body: bytes = b"", *, error: str = "", headers: dict[str, str] | None = None
) -> Exchange:
    return Exchange(
        "POST", "http://studio.test/api/x", status, headers or {"content-type": "application/json"}, body, 0.01, error
    )


# --- case table ------------------------------------------------------------------------------


ORFEAS_SPEC = {
    "openapi": "3.0.3",
    "paths": {
        "/api/upload-image": {"post": {"responses": {"200": {}, "400": {}, "415": {}}}},
        "/api/generate-3d": {"post": {"responses": {"200": {}, "400": {}, "404": {}}}},
    },
}


def test_judge_names_the_row_the_contract_line_and_what_came_back() -> None:
    either = expectation(ORFEAS_SPEC, "POST", "/api/upload-image", plausible=(400, 415, 422), default=(415,))
    assert either.statuses == (400, 415) and either.source == "openapi: POST /api/upload-image responses 400, 415"
    only = expectation(None, "POST", "/api/upload-image", plausible=(400, 415), default=(415,))
    assert only.statuses == (415,) and only.source.startswith("default (no OpenAPI document")
    good = judge("upload", "fake image", "POST /api/upload-image", answer(400, b'{"error": "x"}'), either)
    strict = judge("upload", "fake image", "POST /api/upload-image", answer(400, b'{"error": "x"}'), only)
    silent = judge(
        "upload", "no file field", "POST /api/upload-image", answer(None, error="ReadTimeout after 2.00 s"), either
    )
    assert good.ok and good.contract == either.source
    assert not strict.ok and not silent.ok
    assert failures([good, strict, silent]) == [
        'upload row \'fake image\': expected 415 (default (no OpenAPI document)), got 400; got 400 {"error": "x"}',
        "upload row 'no file field': no answer (ReadTimeout after 2.00 s); got ReadTimeout after 2.00 s",
    ]


def orfeas_over(handler: Any, **overrides: Any) -> Cases:
    s = settings(**overrides)
    client = StudioClient(s.profile, transport=httpx.MockTransport(handler))
    return Cases(OrfeasDialect(client), ORFEAS_SPEC, s)


def test_a_server_that_accepts_everything_fails_every_negative_upload_row() -> None:
    """The wrong answer on purpose: 200 with one fixed job id for every request."""

    def accept_all(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"job_id": "same", "status": "uploaded"})

    rows = {row.case: row for row in upload_rows(orfeas_over(accept_all, large_image_bytes=1000)).rows}
    assert rows["valid PNG"].ok
    failing = {case for case, row in rows.items() if not row.ok}
    assert failing == {
        "no file field",
        "fake image",
        "truncated PNG",
        "text named .png",
        "JSON instead of multipart",
        "two uploads -> distinct job ids",
    }
    assert rows["two uploads -> distinct job ids"].problem == "both uploads got job id same"


def test_unknown_id_accepted_with_a_job_that_never_fails_is_named() -> None:
    """Wrong answer on purpose: an id nobody issued is accepted and its job 'completes'."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/job-status/"):
            return httpx.Response(200, json={"status": "completed", "download_url": "/api/download/x/model.stl"})
        return httpx.Response(200, json={"job_id": "x", "status": "generating_3d"})

    cases = orfeas_over(handler, formats=["stl"], qualities=[5], job_timeout_s=1)
    rows = {row.case: row for row in generate_rows(cases).rows}
    assert not rows["unknown job id"].ok and "accepted an id nobody issued" in rows["unknown job id"].problem
    assert not rows["malformed job id"].ok and "expected 400" in rows["malformed job id"].problem
    assert not rows["status of malformed id"].ok and not rows["status of unknown id"].ok


def repeat_over(state: str, second: int) -> Row:
    """The repeat row against a server whose job status says `state` and whose second generate-3d answers `second`."""
    job_id = "4c8e2ffb-37a8-4c41-9d63-1c7d5b0f0a11"
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if request.url.path == "/api/upload-image":
            return httpx.Response(200, json={"job_id": job_id, "status": "uploaded"})
        if request.url.path.startswith("/api/job-status/"):
            return httpx.Response(200, json={"status": state, "progress": 25})
        if sent.count("/api/generate-3d") == 1:
            return httpx.Response(200, json={"job_id": job_id, "status": "generating_3d"})
        return httpx.Response(second, json={"error": "Generation already in progress", "job_id": job_id})

    row = repeat_row(orfeas_over(handler, formats=["stl"], qualities=[5]))
    assert sent == ["/api/upload-image", "/api/generate-3d", f"/api/job-status/{job_id}", "/api/generate-3d"]
    return row


def test_a_repeat_accepted_while_the_first_job_runs_fails_and_409_or_an_ended_job_passes() -> None:
    """Wrong answer on purpose: a second generation for the same upload accepted while it runs."""
    accepted = repeat_over("processing", 200)
    assert not accepted.ok
    assert accepted.problem.startswith("a second generation was accepted while the first job was 'processing'")
    assert accepted.remedy.startswith("Refuse a second generation")
    refused = repeat_over("processing", 409)
    assert refused.ok and refused.expected.startswith("409")
    assert refused.contract == "default (POST /api/generate-3d documents none of [409])"
    after = repeat_over("completed", 200)
    assert after.ok and "(the first job had already ended 'completed')" in after.got


def test_reached_tells_an_answer_from_a_request_that_never_got_there() -> None:
    profile = settings().profile
    url = "http://studio.test/api/job-status/x"
    json_type = {"content-type": "application/json"}
    no_job = Exchange("GET", url, 404, json_type, b'{"error": "Job not found"}')
    assert reached(no_job, profile=profile, answers_about_ids=True) is no_job  # the platform's answer
    slow = Exchange("GET", url, None, error="ReadTimeout after 2.00 s")
    assert reached(slow, profile=profile) is slow  # a withheld answer is evidence, judged by the caller
    cases = [
        (Exchange("GET", url, 404, {"content-type": "text/html"}, b"<title>404 Not Found</title>"), "dialect"),
        (Exchange("GET", url, 401, json_type, b'{"error": "API key required"}'), "auth"),
        (Exchange("GET", url, None, error="ConnectError: [Errno 111] Connection refused"), "unreachable"),
    ]
    for exchange_, reason in cases:
        with pytest.raises(CouldNotCheck) as raised:
            reached(exchange_, profile=profile, route_param="dialect_options.job_status_path", answers_about_ids=True)
        assert raised.value.reason == reason
    with pytest.raises(CouldNotCheck, match=r"GET /api/job-status/x answered 404.*dialect_options\.job_status_path"):
        reached(cases[0][0], profile=profile, route_param="dialect_options.job_status_path", answers_about_ids=True)
    with pytest.raises(CouldNotCheck, match=r"service 'studio' \(no credentials\): \{\"error\": \"API key required"):
        reached(cases[1][0], profile=profile)


def test_the_synchronous_dialect_finds_results_where_the_submit_answer_says() -> None:
    """A job-resource API: the submit answer names the result; the status word in any case."""

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/upload-image":
            return httpx.Response(201, json={"job_id": "up-1"})
        if path == "/api/generate-3d":
            return httpx.Response(202, json={"job_id": "mesh-1", "result_url": "/files/mesh-1.glb"})
        if path == "/api/text-to-image":
            return httpx.Response(200, json={"job_id": "img-1", "image_url": "/files/img-1.png"})
        if path == "/api/jobs/mesh-1":
            return httpx.Response(200, json={"status": "Completed"})
        return httpx.Response(404, json={"detail": "Not Found"})

    s = settings(dialect="synchronous")
    dialect = s.dialect_class(StudioClient(s.profile, transport=httpx.MockTransport(handler)), s.dialect_options)
    assert dialect.routes()["download"] == ("GET", "/api/jobs/{job_id}/result")
    assert dialect.route_param("download") == "dialect_options.result_path"
    upload = dialect.upload(b"png", "a.png")
    started = dialect.generate_3d(dialect.generate_body(upload.job_id or "", "glb", 5))
    job = dialect.follow(started.job_id or "", timeout_s=1)
    assert (upload.job_id, job.state, job.succeeded) == ("up-1", "Completed", True)
    assert dialect.result_location(job, started) == ("/files/mesh-1.glb", "")
    image = dialect.text_to_image({"prompt": "a fox"})
    assert dialect.image_location(job, image) == "/files/img-1.png"


def test_document_gaps_are_documentation_findings() -> None:
    served = {"health /health": ("GET", "/health"), "upload": ("POST", "/api/upload-image")}
    assert document_problems(ORFEAS_SPEC, served) == [
        "documentation: GET /health (health /health) is served but not in the OpenAPI document"
    ]


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
    stalled, answered = series.problems()
    assert answered == []
    assert stalled == [
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
    assert series.problems() == ([], []) and series.percentiles()["p50_ms"] == pytest.approx(10.0)


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


def test_health_problems_read_the_body() -> None:
    text = Exchange("GET", "u", 200, {"content-type": "text/plain"}, b"OK", 0.01)
    slow = Exchange("GET", "u", 200, {"content-type": "application/json"}, b'{"status": "healthy"}', 3.0)
    sick = Exchange("GET", "u", 200, {"content-type": "application/json"}, b'{"status": "degraded"}', 0.01)
    fine = Exchange("GET", "u", 200, {"content-type": "application/json"}, b'{"status": "healthy"}', 0.01)
    nested = Exchange(
        "GET", "u", 200, {"content-type": "application/json"}, b'{"status": "ok", "checks": {"gpu": "down"}}', 0.01
    )
    assert health_problems(
        [("/h", text), ("/h", slow), ("/h", answer(503)), ("/h", sick), ("/h", fine), ("/h", nested)], 1.0
    ) == [
        ("GET /h: body is not JSON (text/plain)", True),
        ("GET /h: took 3.000 s, budget 1 s", True),
        ("GET /h: expected 200, got 503", True),
        ("GET /h: 200 but its body says status=degraded (warn)", False),
        ("GET /h: 200 but its body says status=ok; gpu=down (fail); it blames gpu", False),
    ]
    # The word map is a parameter: a platform's own word for healthy is no finding.
    own = Exchange("GET", "u", 200, {"content-type": "application/json"}, b'{"status": "nominal"}', 0.01)
    assert health_problems([("/h", own)], 1.0, {"nominal": "pass"}) == []


def test_readiness_verdicts() -> None:
    lying = Readiness(
        "restart", [Tick(0.1, 200, 503, 0.01, "503 warming up"), Tick(1.2, 200, 200, 0.01, "200")], 1.2, 0.1, 200
    )
    assert lying.problems(5.0) == [
        (
            "/ready answered 200 at +0.10 s while the work probe right after answered 503 warming up: "
            "readiness is reported before the routes work",
            True,
        )
    ]
    slow = Readiness("restart", [Tick(0.1, 503, 503, 0.01, "503"), Tick(4.2, 200, 200, 3.1, "200")], 4.2, 4.2, 200)
    assert slow.problems(3.0) == [
        (
            "first working request 4.20 s after restart, budget 3 s; that request alone took 3.10 s "
            "(a slow first request)",
            False,
        )
    ]
    honest = Readiness("restart", [Tick(0.1, 503, 503, 0.01, "503"), Tick(1.1, 200, 200, 0.01, "200")], 1.1, 1.1, 200)
    assert honest.problems(3.0) == []
    # ORFEAS refuses a 16x16 probe image by design: that is no verdict on /ready (no false alarm).
    refused = Readiness(
        "restart", [Tick(0.1, 200, 400, 0.01, "400 Image too small")], None, 0.1, None, "400 Image too small"
    )
    assert refused.problems(3.0) == []


def test_settings_reject_bad_values_with_one_line_each() -> None:
    with pytest.raises(UsageError) as raised:
        settings(services=profile_for("studio:5000"), dialect="graphql", soak_requests=0, formats=["fbx"])
    lines = str(raised.value).splitlines()
    assert len(lines) == 4
    assert any("services.studio" in line and "url" in line and "http" in line for line in lines)
    assert any("unknown dialect 'graphql'" in line and "orfeas" in line for line in lines)
    with pytest.raises(UsageError, match="no service profile 'studio'; profiles given: none"):
        settings(services={})
    with pytest.raises(UsageError, match=r"parameter 'services\.studio\.dialect': unknown dialect 'soap'"):
        settings(services=profile_for("http://studio.test", dialect="soap"))
    with pytest.raises(UsageError, match="expected an http"):
        settings(openapi_url="/no/such/spec.yaml")
    with pytest.raises(UsageError, match="dialect_options for orfeas: job_path: unknown option"):
        settings(dialect_options={"job_path": "/x"})
    # The dialect comes from the parameter, else the profile, else ORFEAS.
    assert settings().dialect_class.name == "orfeas"
    assert settings(services=profile_for("http://s.test", dialect="synchronous")).dialect_class.name == "synchronous"
    chosen = settings(dialect="orfeas", services=profile_for("http://s.test", dialect="synchronous"))
    assert chosen.dialect_class.name == "orfeas"
    with pytest.raises(UsageError, match="also in cors_allowed_origins"):
        settings(cors_denied_origin="http://localhost:3000")


def test_exchange_brief_is_short() -> None:
    assert answer(415, b'{"detail": "' + b"x" * 500 + b'"}').brief().endswith("…")


# --- download safety, connection reuse -------------------------------------------------------


def test_traversal_targets_put_each_form_in_each_parameter() -> None:
    targets = targets_for("/api/download/{job_id}/{filename}", "%2e%2e", ["openapi.yaml"])
    assert "/api/download/%2e%2e/openapi.yaml" in targets
    assert "/api/download/00000000-0000-0000-0000-000000000000/%2e%2e%2fopenapi.yaml" in targets
    assert "/api/preview/.." in targets_for("/api/preview/{filename}", "..", ["x"])


def test_a_server_that_serves_any_path_fails_download_safety_and_a_404_one_passes() -> None:
    """Wrong answer on purpose: every path answers 200 with a file's bytes."""

    def leaky(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"SECRET_KEY=...", headers={"content-type": "application/octet-stream"})

    def tight(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": "Job not found"})

    routes = ["/api/download/{job_id}/{filename}"]
    for handler, leaks in ((leaky, True), (tight, False)):
        result = probe_downloads(mock_client(handler), routes, [".env"])
        assert bool(result.problems()[0]) is leaks
    leaked = probe_downloads(mock_client(leaky), routes, [".env"]).problems()[0][0]
    assert "GET http://studio.test/api/download/../.env answered 200" in leaked
    assert "content from outside the output folder" in leaked


def test_a_route_that_is_not_served_is_not_probed_and_none_served_is_could_not_check() -> None:
    """Werkzeug's HTML 404 says "no such route": its 404s to traversal forms would prove nothing."""

    def no_route(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, html="<title>404 Not Found</title>")

    with pytest.raises(CouldNotCheck) as raised:
        probe_downloads(mock_client(no_route), ["/api/download/{job_id}/{filename}"], [".env"])
    assert raised.value.reason is ErrorReason.DIALECT
    assert "GET /api/download/00000000-0000-0000-0000-000000000000/model.stl answered 404" in raised.value.message


def test_path_routes_come_from_the_document_else_the_dialect() -> None:
    document = {"paths": {"/a/{x}": {"get": {}}, "/b": {"get": {}}, "/c/{y}": {"post": {}}}}
    assert path_routes(document, ["/z/{id}"]) == ["/a/{x}"]
    assert path_routes(None, ["/z/{id}", "/plain"]) == ["/z/{id}"]


def test_reuse_is_measured_not_assumed() -> None:
    closing = Reuse(False, ("127.0.0.1:1", "127.0.0.1:2"), "close")
    assert "Connection: close" in closing.note() and "127.0.0.1:2" in closing.note()
    assert Reuse(True, ("127.0.0.1:1", "127.0.0.1:1"), "").note().startswith("connections are reused")
