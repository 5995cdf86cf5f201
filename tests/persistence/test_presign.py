"""The offline presigned-URL verifier against URLs boto3 produced (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config

from workbook.persistence._errors import PresignedUrlError
from workbook.persistence._presign import (
    freshness_problems,
    parse_presigned_url,
    tampered_signature,
    verify_presigned_url,
)

ACCESS_KEY = "AKIDEXAMPLE0000"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def presign(
    key: str,
    *,
    endpoint: str | None = "http://127.0.0.1:8333",
    region: str = "us-east-1",
    expires: int = 60,
    sigv4: bool = True,
    token: str | None = None,
    params: dict[str, str] | None = None,
) -> str:
    style = {"addressing_style": "path" if endpoint else "virtual"}
    config = Config(signature_version="s3v4", s3=style) if sigv4 else Config()
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=token,
        config=config,
    )
    url: str = client.generate_presigned_url(
        "get_object", Params={"Bucket": "assets", "Key": key, **(params or {})}, ExpiresIn=expires
    )
    return url


@pytest.mark.parametrize(
    ("key", "extra"),
    [
        ("character_references/abc.png", {}),
        ("jobs/job 42/ref+img~1.png", {}),
        ("a/b/ü.png", {}),
        ("k.png", {"ResponseContentType": "image/png"}),
    ],
)
def test_boto3_sigv4_urls_verify(key: str, extra: dict[str, str]) -> None:
    url = presign(key, params=extra)
    result = verify_presigned_url(url, access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="us-east-1")
    assert result.ok, result.problems
    assert result.signature_valid
    assert parse_presigned_url(url).key_in_bucket("assets") == key


def test_aws_virtual_host_url_and_session_token_verify() -> None:
    url = presign("x/y.png", endpoint=None, region="eu-west-1", token="FQoGZXIvYXdzE+token/==")
    parsed = parse_presigned_url(url)
    assert parsed.host == "assets.s3.eu-west-1.amazonaws.com"
    assert parsed.key_in_bucket("assets") == "x/y.png"
    assert verify_presigned_url(url, access_key=ACCESS_KEY, secret_key=SECRET_KEY).ok


def test_parse_reads_expiry_and_scope() -> None:
    url = presign("k.png", expires=3)
    parsed = parse_presigned_url(url)
    assert parsed.version == "sigv4"
    assert parsed.algorithm == "AWS4-HMAC-SHA256"
    assert parsed.expires_s == 3
    assert parsed.region == "us-east-1" and parsed.service == "s3"
    assert parsed.signed_at is not None and parsed.expires_at == parsed.signed_at + timedelta(seconds=3)
    left = parsed.seconds_left(parsed.signed_at)
    assert left == 3


def test_tampered_signature_fails() -> None:
    url = tampered_signature(presign("k.png"))
    result = verify_presigned_url(url, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    assert not result.signature_valid
    assert any("SignatureDoesNotMatch" in problem for problem in result.problems)


def test_raised_expiry_breaks_the_signature() -> None:
    parsed = parse_presigned_url(presign("k.png", expires=3))
    result = verify_presigned_url(
        parsed.with_query(**{"X-Amz-Expires": "3600"}), access_key=ACCESS_KEY, secret_key=SECRET_KEY
    )
    assert not result.signature_valid


def test_other_host_breaks_the_signature() -> None:
    parsed = parse_presigned_url(presign("k.png"))
    result = verify_presigned_url(parsed.with_host("localhost:8333"), access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    assert not result.signature_valid


def test_wrong_secret_and_wrong_access_key_fail() -> None:
    url = presign("k.png")
    assert not verify_presigned_url(url, access_key=ACCESS_KEY, secret_key="other-secret").signature_valid
    problems = verify_presigned_url(url, access_key="AKIDOTHER", secret_key=SECRET_KEY).problems
    assert any("different access key" in problem for problem in problems)


def test_expired_url_is_reported() -> None:
    url = presign("k.png", expires=60)
    later = datetime.now(UTC) + timedelta(hours=2)
    result = verify_presigned_url(url, access_key=ACCESS_KEY, secret_key=SECRET_KEY, now=later)
    assert result.signature_valid
    assert any("expired" in problem for problem in result.problems)
    assert result.seconds_left is not None and result.seconds_left < 0


def test_region_mismatch_is_reported() -> None:
    result = verify_presigned_url(presign("k.png"), access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="eu-west-1")
    assert any("region" in problem for problem in result.problems)


def test_boto3_default_sigv2_url_is_flagged() -> None:
    url = presign("k.png", endpoint=None, sigv4=False)
    parsed = parse_presigned_url(url)
    assert parsed.version == "sigv2"
    assert parsed.expires_at is not None
    result = verify_presigned_url(url, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    assert not result.ok and "expected SigV4" in result.problems[0]


def test_unsigned_url_is_flagged() -> None:
    result = verify_presigned_url("http://127.0.0.1/assets/k.png", access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    assert result.url.version == "unsigned" and not result.ok


@pytest.mark.parametrize("bad", ["", "ftp://host/x", "not a url", None])
def test_parse_rejects_non_urls(bad: object) -> None:
    with pytest.raises(PresignedUrlError):
        parse_presigned_url(bad)  # type: ignore[arg-type]


def test_a_url_signed_for_the_request_is_fresh() -> None:
    parsed = parse_presigned_url(presign("k.png", expires=3600))
    assert parsed.signed_at is not None
    at = parsed.signed_at + timedelta(seconds=0.4)
    assert (
        freshness_problems(
            parsed, requested_at=at, received_at=at + timedelta(seconds=0.2), expected_expiry_s=3600, tolerance_s=2
        )
        == []
    )


def test_a_cached_url_is_stale_even_while_it_still_works() -> None:
    parsed = parse_presigned_url(presign("k.png", expires=3600))
    assert parsed.signed_at is not None
    later = parsed.signed_at + timedelta(seconds=600)
    problems = freshness_problems(parsed, requested_at=later, received_at=later, expected_expiry_s=3600, tolerance_s=5)
    assert problems[0].startswith("signed 600 s before it was requested")
    assert "3000 s left when served, expected about the configured 3600 s" in problems[1]
    assert verify_presigned_url(parsed.url, access_key=ACCESS_KEY, secret_key=SECRET_KEY, now=later).ok


def test_a_url_from_the_future_or_with_the_wrong_lifetime_is_named() -> None:
    parsed = parse_presigned_url(presign("k.png", expires=7200))
    assert parsed.signed_at is not None
    earlier = parsed.signed_at - timedelta(seconds=30)
    problems = freshness_problems(
        parsed, requested_at=earlier, received_at=earlier, expected_expiry_s=3600, tolerance_s=5
    )
    assert any(problem.startswith("signed 30 s after it was received") for problem in problems)
    assert any("more than the configured 3600 s" in problem for problem in problems)


def test_sigv2_freshness_comes_from_its_absolute_expiry() -> None:
    parsed = parse_presigned_url(presign("k.png", expires=3600, sigv4=False, endpoint=None))
    assert parsed.version == "sigv2" and parsed.expires_at is not None
    now = datetime.now(UTC)
    assert freshness_problems(parsed, requested_at=now, received_at=now, expected_expiry_s=3600, tolerance_s=5) == []
    later = now + timedelta(seconds=900)
    (problem,) = freshness_problems(
        parsed, requested_at=later, received_at=later, expected_expiry_s=3600, tolerance_s=5
    )
    assert "left when served, expected about the configured 3600 s" in problem
