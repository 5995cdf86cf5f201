"""Cloud-serving checks: the JSON the API returns with S3 serving, the object behind it, the
presigned URL (offline SigV4 verification, store-side 200/403), uniqueness and redirect mode."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ..checks import CheckContext
from ..notebook import log
from ._api import missing_cloud_fields
from ._errors import PresignedUrlError
from ._inspect import key_of, sha256_hex
from ._presign import (
    SIGV4_ALGORITHM,
    PresignedUrl,
    freshness_problems,
    parse_presigned_url,
    tampered_signature,
    verify_presigned_url,
)
from ._session import PersistenceRun, StoredImage

TEMPORARY_REDIRECTS = (302, 303, 307)
# Browsers and proxies cache these: a permanent redirect to a URL that expires breaks later loads.
PERMANENT_REDIRECTS = (301, 308)
# Margin past expiry before the expired URL is fetched (X-Amz-Date has one-second resolution).
EXPIRY_MARGIN_S = 1.5
# A second request this much later must carry a later X-Amz-Date (its resolution is one second).
RESIGN_GAP_S = 1.1


@dataclass(frozen=True)
class Served:
    """A cloud GET's JSON body and when it was asked for and answered (for freshness)."""

    body: dict[str, Any]
    requested_at: datetime
    received_at: datetime

    @property
    def url(self) -> str:
        return str(self.body.get("image_url", ""))


def _served(c: CheckContext, run: PersistenceRun, image_id: str) -> Served | None:
    api = run.cloud_api()
    if api is None:
        c.skip(run.cloud_skip_reason())
        return None
    requested_at = datetime.now(UTC)
    response = api.get_reference(image_id)
    received_at = datetime.now(UTC)
    if response.status_code != 200:
        c.expect(False, f"image {image_id}: cloud GET answered {response.status_code}: {response.text[:200]}")
        return None
    try:
        body = response.json()
    except ValueError:
        c.expect(False, f"image {image_id}: cloud GET answered {response.headers.get('content-type')}, not JSON")
        return None
    return Served(body, requested_at, received_at) if isinstance(body, dict) else None


def _fresh(
    c: CheckContext, run: PersistenceRun, label: str, url: str, requested_at: datetime, received_at: datetime
) -> PresignedUrl | None:
    """Record why `url` was not signed for its request; returns it parsed (None if it is no URL)."""
    try:
        parsed = parse_presigned_url(url)
    except PresignedUrlError as error:
        c.expect(False, f"{label}: {error}")
        return None
    problems = freshness_problems(
        parsed,
        requested_at=requested_at,
        received_at=received_at,
        expected_expiry_s=run.settings.expected_expiry_s,
        tolerance_s=run.settings.signing_tolerance_s,
    )
    c.expect_none(f"{label} {problem}" for problem in problems)
    return parsed


def _fetch_same_bytes(c: CheckContext, run: PersistenceRun, url: str, stored: StoredImage, what: str) -> None:
    """GET `url` from the store: 200 with the generated image's bytes."""
    response = run.fetch(url)
    c.expect(response.status_code == 200, f"{what} answered {response.status_code}: {response.text[:160]}")
    if response.status_code == 200:
        c.expect(
            stored.data is not None and sha256_hex(response.content) == sha256_hex(stored.data),
            f"{what}: bytes differ from the generated image",
        )


def check_cloud_get(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    inferred_ok = False
    for stored in run.require_images():
        served = _served(c, run, stored.id)
        if served is None:
            continue
        body = served.body
        _fresh(c, run, f"image {stored.id}: image_url", served.url, served.requested_at, served.received_at)
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
        inferred_ok = inferred_ok or info.content_type == "image/png"
    if inferred_ok and run.store_infers_content_type():
        c.note(
            "this store infers a type for untyped uploads (SeaweedFS does, AWS does not), so image/png above is "
            "weak evidence of what the backend sent; the extensions check judges the ContentType the service sends"
        )
    c.measure(images=len(run.images))


def check_presigned_url(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    stored = run.require_images()[0]
    served = _served(c, run, stored.id)
    if served is None:
        c.fail("no cloud reference to inspect")
        return
    url, body = served.url, served.body
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
    _fresh(c, run, "presigned URL", url, served.requested_at, served.received_at)
    _fetch_same_bytes(c, run, url, stored, "presigned GET")
    tampered = run.fetch(tampered_signature(url))
    c.measure(tampered_status=tampered.status_code)
    c.expect(tampered.status_code == 403, f"tampered signature answered {tampered.status_code}, expected 403")
    expired_tried = _expired_get(c, run, url, parsed)
    _second_request(c, run, stored.id, served, parsed, expect_working=expired_tried)


def _expired_get(c: CheckContext, run: PersistenceRun, url: str, parsed: PresignedUrl) -> bool:
    """Wait for `url` to expire (if soon enough) and require 403; True if it was tried."""
    seconds_left = parsed.seconds_left()
    if seconds_left is None:
        c.expect(False, "cannot tell when the URL expires")
        return False
    if seconds_left + EXPIRY_MARGIN_S > run.settings.expired_wait_max_s:
        c.note(f"expired-URL GET not tried: URL lives {seconds_left:.0f} s more (> expired_wait_max_s)")
        return False
    log(f"persistence: waiting {seconds_left + EXPIRY_MARGIN_S:.1f} s for the presigned URL to expire")
    time.sleep(max(0.0, seconds_left + EXPIRY_MARGIN_S))
    expired = run.fetch(url)
    c.measure(expired_status=expired.status_code)
    c.expect(expired.status_code == 403, f"expired URL answered {expired.status_code}, expected 403")
    return True


def _second_request(
    c: CheckContext, run: PersistenceRun, image_id: str, first: Served, parsed: PresignedUrl, *, expect_working: bool
) -> None:
    """Ask again later: the new URL must be signed later (no cache), fresh, and work even after the
    first one expired."""
    time.sleep(max(0.0, RESIGN_GAP_S - (datetime.now(UTC) - first.received_at).total_seconds()))
    again = _served(c, run, image_id)
    if again is None:
        return
    gap = (again.requested_at - first.received_at).total_seconds()
    c.measure(second_request_gap_s=round(gap, 2))
    second = _fresh(c, run, "second URL", again.url, again.requested_at, again.received_at)
    same = again.url == first.url
    not_later = (
        second is not None
        and parsed.expires_at is not None
        and second.expires_at is not None
        and second.expires_at <= parsed.expires_at
    )
    if same or not_later:
        what = "the same URL" if same else "a URL signed no later than the first"
        c.expect(
            False,
            f"a second GET {gap:.1f} s later returned {what}: the backend caches presigned URLs "
            "(each must be signed for its request)",
        )
        return
    if expect_working:
        response = run.fetch(again.url)
        c.expect(
            response.status_code == 200,
            f"the URL served after the first one expired answered {response.status_code}, expected 200",
        )


def check_uniqueness(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    urls, paths = [], []
    for stored in run.require_images():
        served = _served(c, run, stored.id)
        if served is not None:
            urls.append(served.url)
            paths.append(str(served.body.get("cloud_path", "")))
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
    source = run.require_images()[0].data
    if source is None:
        c.fail("the first generated image did not decode")
        return
    # Three objects uploaded through the service, then a URL for each (the service HEADs first).
    ids = [run.new_id("unique") for _ in range(3)]
    service_urls = []
    for image_id in ids:
        path = run.workdir / "unique" / f"{image_id}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source)
        run.track(s.standalone_key(image_id))
        upload = run.call("persist_character_reference", image_id=image_id, local_image_path=str(path), job_id=None)
        run.track(key_of(upload.value, s.storage_bucket) or "")
        service_urls.append(run.call("get_character_reference_url", image_id=image_id, extension="png").value)
    service_keys = [key_of(url, s.storage_bucket) for url in service_urls if url]
    c.expect(
        len(set(service_keys)) == len(ids),
        f"service: {len(set(service_keys))} distinct keys for {len(ids)} ids: {sorted(map(str, set(service_keys)))}",
    )
    c.expect(
        len({url for url in service_urls if url}) == len(ids),
        f"service: {len({url for url in service_urls if url})} distinct URLs for {len(ids)} ids",
    )
    c.measure(api_urls=len(urls), service_urls=len(service_urls))


def check_redirect(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    stored = run.require_images()[0]
    api = run.cloud_api()
    if api is None:
        c.skip(run.cloud_skip_reason())
        return
    requested_at = datetime.now(UTC)
    response = api.get_reference(stored.id, redirect=True)
    received_at = datetime.now(UTC)
    location = response.headers.get("location", "")
    c.measure(status=response.status_code)
    if response.status_code in PERMANENT_REDIRECTS:
        c.expect(
            False,
            f"redirect=true answered {response.status_code}, a permanent redirect that browsers and proxies cache, "
            "to a URL that expires; expected 302, 303 or 307",
        )
    elif response.status_code not in TEMPORARY_REDIRECTS:
        c.fail(f"redirect=true answered {response.status_code}, expected a 302, 303 or 307 redirect")
    if not location:
        c.fail(f"redirect=true answered {response.status_code} without a Location")
    verification = verify_presigned_url(
        location, access_key=run.access_key, secret_key=run.secret_key, region=s.storage_region
    )
    c.expect_none(f"Location: {problem}" for problem in verification.problems)
    _fresh(c, run, "Location", location, requested_at, received_at)
    if s.storage_endpoint:
        expected_host = urlsplit(s.storage_endpoint).netloc
        host = urlsplit(location).netloc
        if host != expected_host:
            c.fail(f"Location host {host!r} is not the storage endpoint host {expected_host!r}; not following it")
            return
    _fetch_same_bytes(c, run, location, stored, "following the redirect")
