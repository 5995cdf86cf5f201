"""The ContentType a service actually sends, recorded from its botocore requests (event hooks).

SeaweedFS (measured, 4.48): with no ContentType it sniffs the bytes (a PNG uploaded as `x.jpg`
is stored `image/png`); with `application/octet-stream` it guesses from the key's extension. AWS
stores what was sent, or `binary/octet-stream` when nothing was. So a service that forgets
ContentType passes the sandbox on stored types alone and fails on AWS: the check judges the
request the service sent, not what the store made of it.
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse

from workbook._s3 import s3_client
from workbook.persistence._uploads import SentUpload, UploadRecorder, content_type_problems

ENDPOINT = "http://127.0.0.1:9"


class _Raw:
    """The smallest urllib3-like body botocore accepts for an empty 200."""

    def stream(self, *args: object, **kwargs: object) -> list[bytes]:
        return [b""]


def answer_ok(**kwargs: object) -> AWSResponse:
    # Registered after the recorder's handler: the request is recorded, then answered locally.
    return AWSResponse(ENDPOINT, 200, {}, _Raw())


class TinyService:
    """Creates its client lazily on first use, as many services do (and the reference backend)."""

    def __init__(self) -> None:
        self._client = None

    def put(self, key: str, **extra: str) -> None:
        if self._client is None:
            self._client = s3_client(endpoint_url=ENDPOINT, region="us-east-1", access_key="AK", secret_key="SK")
            self._client.meta.events.register("before-send.s3.*", answer_ok)
        self._client.put_object(Bucket="bucket", Key=key, Body=b"\x89PNG", **extra)


def test_records_what_is_sent_and_what_is_not() -> None:
    recorder, service = UploadRecorder(), TinyService()
    with recorder.recording():
        service.put("refs/a.png", ContentType="image/png")
        service.put("refs/b.png")
        service.put("refs/c.jpg", ContentType="application/octet-stream")
    assert [(upload.key_in("bucket"), upload.content_type) for upload in recorder.sent] == [
        ("refs/a.png", "image/png"),
        ("refs/b.png", None),
        ("refs/c.jpg", "application/octet-stream"),
    ]
    assert recorder.for_key("bucket", "refs/b.png")[0].operation == "PutObject"


def test_the_hook_is_gone_after_the_block_and_blocks_nest() -> None:
    original = botocore.session.Session.create_client
    recorder = UploadRecorder()
    with recorder.recording(), recorder.recording():
        assert botocore.session.Session.create_client is not original
    assert botocore.session.Session.create_client is original
    outside = TinyService()
    outside.put("refs/outside.png", ContentType="image/png")  # client made outside any block
    assert recorder.sent == []


def test_a_client_made_in_a_block_keeps_reporting_to_that_recorder() -> None:
    recorder, service = UploadRecorder(), TinyService()
    with recorder.recording():
        service.put("refs/first.png", ContentType="image/png")
    service.put("refs/later.png")
    assert [upload.key_in("bucket") for upload in recorder.sent] == ["refs/first.png", "refs/later.png"]


def sent(content_type: str | None) -> list[SentUpload]:
    return [SentUpload("PutObject", f"{ENDPOINT}/bucket/k.png", content_type)]


@pytest.mark.parametrize(
    ("uploads", "infers", "expected"),
    [
        (sent("image/png"), True, []),
        (sent("image/png; charset=binary"), True, []),
        (sent(None), True, ["png: the service sent no ContentType for 'k.png'"]),
        (sent("application/octet-stream"), False, ["png: the service sent ContentType 'application/octet-stream'"]),
        ([], False, []),
        ([], True, ["png: no upload of 'k.png' was seen from the service"]),
    ],
    ids=["right", "with-parameter", "none-sent", "wrong-sent", "unseen-aws-like", "unseen-inferring-store"],
)
def test_content_type_decision(uploads: list[SentUpload], infers: bool, expected: list[str]) -> None:
    problems = content_type_problems("png", "k.png", "image/png", uploads, store_infers=infers)
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start)
