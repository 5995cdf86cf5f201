"""Cloud-serving checks: the JSON the API returns with S3 serving, the object behind it, the
presigned URL (offline SigV4 verification, store-side 200/403), uniqueness and redirect mode."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from .._progress import log
from ..checks import CheckContext
from ._api import missing_cloud_fields
from ._inspect import key_of, sha256_hex
from ._presign import SIGV4_ALGORITHM, parse_presigned_url, tampered_signature, verify_presigned_url
from ._session import PersistenceRun

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Margin past expiry before the expired URL is fetched (X-Amz-Date has one-second resolution).
EXPIRY_MARGIN_S = 1.5


def _cloud_reference(c: CheckContext, run: PersistenceRun, image_id: str) -> dict[str, Any] | None:
    api = run.cloud_api()
    if api is None:
        c.skip("the API serves locally (config/debug serve_from_cloud=false); cloud checks need cloud serving")
        return None
    response = api.get_reference(image_id)
    if response.status_code != 200:
        c.expect(False, f"image {image_id}: cloud GET answered {response.status_code}: {response.text[:200]}")
        return None
    try:
        body = response.json()
    except ValueError:
        c.expect(False, f"image {image_id}: cloud GET answered {response.headers.get('content-type')}, not JSON")
        return None
    return body if isinstance(body, dict) else None


def check_cloud_get(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    for stored in run.require_images():
        body = _cloud_reference(c, run, stored.id)
        if body is None:
            continue
        missing = missing_cloud_fields(body)
        c.expect(not missing, f"image {stored.id}: cloud response lacks {missing}")
        c.expect(body.get("image_id") == stored.id, f"image {stored.id}: image_id is {body.get('image_id')!r}")
        c.expect(
            body.get("storage_backend") == "s3",
            f"storage_backend is {body.get('storage_backend')!r}, expected 's3'",
        )
        cloud_path = str(body.get("cloud_path", ""))
        expected_key = s.standalone_key(stored.id)
        run.track(cloud_path, expected_key)
        c.expect(
            cloud_path == expected_key,
            f"image {stored.id}: cloud_path {cloud_path!r}, expected {expected_key!r}",
        )
        info = run.inspector.object_info(cloud_path) if cloud_path else None
        if info is None:
            c.expect(
                False,
                f"image {stored.id}: no object in bucket {s.storage_bucket!r} at cloud_path {cloud_path!r}",
            )
            continue
        c.expect(
            stored.data is not None and info.sha256 == sha256_hex(stored.data),
            f"image {stored.id}: object at {cloud_path!r} differs from the generated image (sha256 mismatch)",
        )
        c.expect(
            info.content_type == "image/png",
            f"image {stored.id}: object content type {info.content_type!r}, expected image/png",
        )
    c.measure(images=len(run.images))


def check_presigned_url(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    stored = run.require_images()[0]
    body = _cloud_reference(c, run, stored.id)
    if body is None:
        c.fail("no cloud reference to inspect")
        return
    url = str(body.get("image_url", ""))
    parsed = parse_presigned_url(url)
    verification = verify_presigned_url(
        url, access_key=run.access_key, secret_key=run.secret_key, region=s.storage_region
    )
    c.measure(
        algorithm=parsed.algorithm or parsed.version,
        x_amz_expires=parsed.expires_s,
        expires_in_seconds=body.get("expires_in_seconds"),
        seconds_left=verification.seconds_left,
    )
    c.expect(
        parsed.algorithm == SIGV4_ALGORITHM,
        f"presigned URL uses {parsed.algorithm or parsed.version!r}, expected SigV4 ({SIGV4_ALGORITHM})",
    )
    if parsed.version == "sigv4":
        c.expect(
            parsed.expires_s == s.expected_expiry_s,
            f"X-Amz-Expires={parsed.expires_s}, expected the configured expiry {s.expected_expiry_s}",
        )
        c.expect(
            parsed.expires_s == body.get("expires_in_seconds"),
            f"X-Amz-Expires={parsed.expires_s} but expires_in_seconds={body.get('expires_in_seconds')!r}",
        )
        c.expect_none(f"offline verification: {problem}" for problem in verification.problems)
    fresh = run.fetch(url)
    c.expect(fresh.status_code == 200, f"presigned GET answered {fresh.status_code}: {fresh.text[:160]}")
    if fresh.status_code == 200:
        c.expect(
            stored.data is not None and sha256_hex(fresh.content) == sha256_hex(stored.data),
            "presigned GET bytes differ from the generated image",
        )
    tampered = run.fetch(tampered_signature(url))
    c.measure(tampered_status=tampered.status_code)
    c.expect(tampered.status_code == 403, f"tampered signature answered {tampered.status_code}, expected 403")
    seconds_left = parsed.seconds_left()
    if seconds_left is None:
        c.expect(False, "cannot tell when the URL expires")
    elif seconds_left + EXPIRY_MARGIN_S > s.expired_wait_max_s:
        c.note(f"expired-URL GET not tried: URL lives {seconds_left:.0f} s more (> expired_wait_max_s)")
    else:
        log(f"persistence: waiting {seconds_left + EXPIRY_MARGIN_S:.1f} s for the presigned URL to expire")
        time.sleep(max(0.0, seconds_left + EXPIRY_MARGIN_S))
        expired = run.fetch(url)
        c.measure(expired_status=expired.status_code)
        c.expect(expired.status_code == 403, f"expired URL answered {expired.status_code}, expected 403")


def check_uniqueness(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    urls, paths = [], []
    for stored in run.require_images():
        body = _cloud_reference(c, run, stored.id)
        if body is not None:
            urls.append(str(body.get("image_url", "")))
            paths.append(str(body.get("cloud_path", "")))
    if len(urls) >= 2:
        c.expect(len(set(urls)) == len(urls), f"API: {len(set(urls))} distinct URLs for {len(urls)} ids")
        c.expect(len(set(paths)) == len(paths), f"API: {len(set(paths))} distinct cloud_paths for {len(paths)} ids")
        keys = [key_of(url, s.storage_bucket) for url in urls]
        c.expect(
            len(set(keys)) == len(keys),
            f"API: presigned URLs name {len(set(keys))} distinct keys for {len(keys)} ids",
        )
    if not s.service_import:
        c.note("service part not run: no service_import configured")
        c.measure(api_urls=len(urls))
        return
    ids = [run.new_id("unique") for _ in range(3)]
    service_urls = [run.call("get_character_reference_url", image_id, "png") for image_id in ids]
    service_keys = [key_of(url, s.storage_bucket) for url in service_urls]
    c.expect(
        len(set(service_urls)) == len(ids),
        f"service: {len(set(service_urls))} distinct URLs for {len(ids)} ids",
    )
    c.expect(
        len(set(service_keys)) == len(ids),
        f"service: {len(set(service_keys))} distinct keys for {len(ids)} ids: {sorted(map(str, set(service_keys)))}",
    )
    c.measure(api_urls=len(urls), service_urls=len(service_urls))


def check_redirect(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    api = run.cloud_api()
    if api is None:
        c.skip("the API serves locally; redirect mode needs cloud serving")
        return
    stored = run.require_images()[0]
    response = api.get_reference(stored.id, redirect=True)
    location = response.headers.get("location", "")
    c.measure(status=response.status_code)
    if response.status_code not in REDIRECT_STATUSES or not location:
        c.fail(f"redirect=true answered {response.status_code} without a redirect Location, expected 30x")
        return
    verification = verify_presigned_url(
        location, access_key=run.access_key, secret_key=run.secret_key, region=s.storage_region
    )
    c.expect_none(f"Location: {problem}" for problem in verification.problems)
    if s.storage_endpoint:
        expected_host = urlsplit(s.storage_endpoint).netloc
        host = urlsplit(location).netloc
        if host != expected_host:
            c.fail(f"Location host {host!r} is not the storage endpoint host {expected_host!r}; not following it")
            return
    fetched = run.fetch(location)
    c.expect(fetched.status_code == 200, f"following the redirect answered {fetched.status_code}")
    if fetched.status_code == 200:
        c.expect(
            stored.data is not None and sha256_hex(fetched.content) == sha256_hex(stored.data),
            "bytes behind the redirect differ from the generated image",
        )
