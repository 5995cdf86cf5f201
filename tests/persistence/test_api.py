"""CharacterApi against an httpx MockTransport (no network)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from workbook.checks import CouldNotCheck, ErrorReason
from workbook.connect import ServiceProfile
from workbook.persistence._api import CharacterApi, GeneratedImage, missing_cloud_fields
from workbook.persistence._dialects import DIALECTS
from workbook.persistence._errors import ApiError

PNG = b"\x89PNG\r\n\x1a\nfake"


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/api/mv/generate_character_reference":
        body = json.loads(request.content)
        if body["num_images"] > 8:
            return httpx.Response(422, json={"detail": "num_images must be <= 8"})
        images = [
            {"id": f"id-{i}", "path": f"/x/id-{i}.png", "base64": base64.b64encode(PNG).decode(), "cloud_url": None}
            for i in range(body["num_images"])
        ]
        return httpx.Response(200, json={"images": images, "metadata": {"num_images_generated": len(images)}})
    if request.url.path == "/api/mv/get_character_reference/id-0":
        if request.url.params.get("redirect") == "true":
            return httpx.Response(307, headers={"location": "http://s3/x"})
        return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})
    if request.url.path == "/api/mv/config/debug":
        return httpx.Response(404, json={"detail": "Not Found"})
    return httpx.Response(404, json={"detail": "not found"})


KEY = {"kind": "header", "name": "X-API-Key", "secret_env": "TEST_BACKEND_KEY"}


def make_api(answer: Callable[[httpx.Request], httpx.Response], *, auth: dict[str, str] | None = None) -> CharacterApi:
    profile = ServiceProfile.model_validate({"name": "refbackend", "url": "http://backend", "auth": auth})
    client = profile.http_client(transport=httpx.MockTransport(answer), follow_redirects=False)
    return CharacterApi(profile, DIALECTS["mvp1"](), client=client)


@pytest.fixture
def api() -> CharacterApi:
    return make_api(handler)


def test_generate_parses_images(api: CharacterApi) -> None:
    result = api.generate("robot", 2, "1:1")
    assert [image.id for image in result.images] == ["id-0", "id-1"]
    assert result.images[0].decoded() == PNG
    assert result.metadata["num_images_generated"] == 2


def test_generate_error_names_status_and_detail(api: CharacterApi) -> None:
    with pytest.raises(ApiError, match=r"HTTP 422.*num_images"):
        api.generate("robot", 9, "1:1")


def test_get_reference_does_not_follow_redirects(api: CharacterApi) -> None:
    assert api.get_reference("id-0").content == PNG
    redirect = api.get_reference("id-0", redirect=True)
    assert redirect.status_code == 307 and redirect.headers["location"] == "http://s3/x"


def test_config_debug_missing_or_unusable_is_unreadable_not_an_error() -> None:
    answers = {
        "missing": httpx.Response(404, json={"detail": "Not Found"}),
        "failing": httpx.Response(500, text="Internal Server Error"),
        "html": httpx.Response(200, text="<html>debug</html>", headers={"content-type": "text/html"}),
        "list": httpx.Response(200, json=[1, 2]),
    }
    problems = {}
    for name, answer in answers.items():
        config = make_api(lambda request, a=answer: a).config_debug()
        assert config.body is None
        problems[name] = config.problem
    assert problems == {
        "missing": "config/debug answered 404",
        "failing": "config/debug answered 500",
        "html": "config/debug answered text/html, not JSON",
        "list": "config/debug answered JSON that is not an object",
    }


def test_bad_base64_names_the_image() -> None:
    with pytest.raises(ValueError, match="image x: base64 does not decode"):
        GeneratedImage(id="x", base64="***").decoded()


def test_missing_cloud_fields() -> None:
    assert missing_cloud_fields({"image_id": "a", "image_url": "u", "storage_backend": "s3"}) == [
        "expires_in_seconds",
        "cloud_path",
    ]
    assert len(missing_cloud_fields("not json")) == 5


def test_the_key_is_sent_and_a_401_is_could_not_check_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_BACKEND_KEY", "k-123")
    seen: list[str | None] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-api-key"))
        return httpx.Response(401, json={"error": "Unauthorized", "message": "Invalid API key"})

    api = make_api(refuse, auth=KEY)
    for call in (api.config_debug, lambda: api.generate_raw({}), lambda: api.get_reference("x")):
        with pytest.raises(CouldNotCheck) as raised:
            call()
        assert raised.value.reason is ErrorReason.AUTH and "Invalid API key" in raised.value.message
    assert seen == ["k-123"] * 3


def test_a_missing_route_is_dialect_but_an_unknown_id_is_an_answer() -> None:
    api = make_api(lambda request: httpx.Response(404, json={"detail": "Not Found"}))
    assert api.get_reference("unknown").status_code == 404
    with pytest.raises(CouldNotCheck) as raised:
        api.generate_raw({"character_description": "x"})
    assert raised.value.reason is ErrorReason.DIALECT and "POST /api/mv/generate_character_reference" in str(
        raised.value
    )


def test_invalid_input_never_counts_a_401_as_a_refusal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The wrong answer on purpose: a backend that refuses the key answers 401 to all four invalid requests.
    # Counting those as 4xx refusals would pass the check; it must end error/auth instead.
    from workbook.checks import Checks, CheckStatus
    from workbook.persistence import CHECKS, check_invalid_input

    from .conftest import settings_of

    monkeypatch.setenv("TEST_BACKEND_KEY", "k-123")
    api = make_api(lambda request: httpx.Response(401, json={"message": "Invalid API key"}), auth=KEY)
    run = SimpleNamespace(api=api, settings=settings_of(storage_bucket="b"), track=lambda *keys: None)
    checks = Checks("10_persistence", CHECKS, results_dir=tmp_path)
    with checks.run("invalid_input") as c:
        check_invalid_input(c, run)  # type: ignore[arg-type]
    (result,) = checks.results
    assert result.status is CheckStatus.ERROR and result.reason is ErrorReason.AUTH, result.detail
    assert "refused" not in result.measured
