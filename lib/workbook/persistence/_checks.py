"""The eleven persistence checks of notebook 10, as functions of (check context, run).

Each function records measurements and problems on the `CheckContext`; the notebook only wraps
them in `with checks.run(<id>) as c:`. A problem text names the defect it found, so a failing row
says what is wrong without opening the notebook.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image

from .._progress import log
from ..checks import CheckContext
from ..sandbox import set_faults
from ._api import missing_cloud_fields
from ._bench import benchmark_presign
from ._errors import PresignedUrlError
from ._presign import SIGV4_ALGORITHM, parse_presigned_url, tampered_signature, verify_presigned_url
from ._s3 import sha256_hex
from ._session import EXTENSION_FORMATS, EXTENSION_TYPES, PersistenceRun, StoredImage

CHECKS: dict[str, str] = {
    "generate": "1. generate returns num_images PNGs with unique UUIDs; base64 equals the bytes served",
    "local_get": "2. local GET returns identical bytes with image/png",
    "unknown_id": "3. unknown id answers 404 with a detail",
    "cloud_get": "4. cloud GET has every field; the object at cloud_path has the same sha256 and type",
    "presigned_url": "5. presigned URL: SigV4, set expiry, verifies offline; GET 200, tampered/expired 403",
    "uniqueness": "6. different ids give different URLs and keys",
    "extensions": "7. png/jpg/webp give the right keys and content types",
    "redirect": "8. redirect=true answers 30x to a valid presigned URL with the same bytes",
    "fallback": "9. storage unreachable: the backend falls back to local serving",
    "job_association": "10. standalone vs job keys, associate, persist_job_assets, download_job_assets",
    "presign_benchmark": "11. presign benchmark: ms per URL for 100 and 1000 URLs",
}
NO_SERVICE = "no service_import configured: the service-driven part of the guide cannot run"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Margin past expiry before the expired URL is fetched (X-Amz-Date has one-second resolution).
EXPIRY_MARGIN_S = 1.5


def _key_of(url: object, bucket: str) -> str | None:
    """The object key a returned URL points at (presigned http(s) or s3://bucket/key), else None."""
    text = str(url)
    if text.startswith(f"s3://{bucket}/"):
        return text[len(f"s3://{bucket}/") :]
    try:
        return parse_presigned_url(text).key_in_bucket(bucket)
    except PresignedUrlError:
        return None


def _ratio(aspect_ratio: str) -> float | None:
    width, _, height = aspect_ratio.partition(":")
    try:
        return float(width) / float(height)
    except (ValueError, ZeroDivisionError):
        return None


def _png_problem(data: bytes, aspect_ratio: str) -> str | None:
    if not data.startswith(PNG_SIGNATURE):
        return "is not a PNG (no PNG signature)"
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception as error:  # any decoder error means "not a valid PNG"
        return f"does not decode as PNG ({error})"
    expected = _ratio(aspect_ratio)
    if expected and abs(width / height - expected) > 0.02 * expected:
        return f"is {width}x{height}, not aspect ratio {aspect_ratio}"
    return None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _served_bytes(run: PersistenceRun, image_id: str) -> tuple[bytes | None, str]:
    """The bytes the backend serves for an image: local GET, else via the cloud URL."""
    local = run.local_api()
    if local is not None:
        response = local.get_reference(image_id)
        return (response.content if response.status_code == 200 else None), f"local GET {response.status_code}"
    response = run.api.get_reference(image_id)
    if response.status_code != 200:
        return None, f"GET {response.status_code}"
    if response.headers.get("content-type", "").startswith("application/json"):
        fetched = run.fetch(response.json().get("image_url", ""))
        return (fetched.content if fetched.status_code == 200 else None), f"presigned GET {fetched.status_code}"
    return response.content, "GET 200"


# --- 1 ---------------------------------------------------------------------------------------


def check_generate(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    result = run.api.generate(s.character_description, s.num_images, s.aspect_ratio)
    run.images = []
    for image in result.images:
        try:
            data: bytes | None = image.decoded()
        except ValueError as error:
            c.expect(False, str(error))
            data = None
        run.images.append(StoredImage(image, data))
    ids = [image.id for image in result.images]
    c.measure(images=len(ids), ids=ids, metadata=result.metadata)
    c.expect(len(ids) == s.num_images, f"expected {s.num_images} images, got {len(ids)}")
    c.expect(
        result.metadata.get("num_images_generated") == len(ids),
        f"metadata.num_images_generated={result.metadata.get('num_images_generated')!r}, images={len(ids)}",
    )
    c.expect(len(set(ids)) == len(ids), f"ids are not unique: {len(set(ids))} distinct of {len(ids)}")
    not_uuid = [image_id for image_id in ids if not _is_uuid(image_id)]
    c.expect(not not_uuid, f"ids that are not UUIDs: {not_uuid}")
    for stored in run.images:
        if stored.data is None:
            continue
        problem = _png_problem(stored.data, s.aspect_ratio)
        c.expect(problem is None, f"image {stored.id} {problem}")
        served, how = _served_bytes(run, stored.id)
        c.expect(served is not None, f"image {stored.id}: could not fetch the served bytes ({how})")
        if served is not None:
            c.expect(
                sha256_hex(served) == sha256_hex(stored.data),
                f"image {stored.id}: base64 in the response differs from the bytes served ({how})",
            )


# --- 2 ---------------------------------------------------------------------------------------


def check_local_get(c: CheckContext, run: PersistenceRun) -> None:
    local = run.local_api()
    if local is None:
        c.skip("the API serves from cloud and no local_api_base_url is set (no locally-serving deployment)")
        return
    for stored in run.require_images():
        response = local.get_reference(stored.id)
        content_type = response.headers.get("content-type", "")
        c.expect(response.status_code == 200, f"image {stored.id}: local GET answered {response.status_code}")
        if response.status_code != 200:
            continue
        c.expect(
            content_type.split(";")[0] == "image/png",
            f"image {stored.id}: content type {content_type!r}, expected image/png",
        )
        c.expect(
            stored.data is not None and sha256_hex(response.content) == sha256_hex(stored.data),
            f"image {stored.id}: local GET bytes differ from the generated image (sha256 mismatch)",
        )
    c.measure(base_url=local.base_url, images=len(run.images))


# --- 3 ---------------------------------------------------------------------------------------


def check_unknown_id(c: CheckContext, run: PersistenceRun) -> None:
    unknown = str(uuid.uuid4())
    response = run.api.get_reference(unknown)
    c.measure(status=response.status_code)
    c.expect(response.status_code == 404, f"unknown id {unknown} answered {response.status_code}, expected 404")
    if response.status_code == 404:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = None
        c.expect(bool(detail), "404 for an unknown id carries no JSON detail")


# --- 4 ---------------------------------------------------------------------------------------


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


# --- 5 ---------------------------------------------------------------------------------------


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
        for problem in verification.problems:
            c.expect(False, f"offline verification: {problem}")
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


# --- 6 ---------------------------------------------------------------------------------------


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
        keys = [_key_of(url, s.storage_bucket) for url in urls]
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
    service_keys = [_key_of(url, s.storage_bucket) for url in service_urls]
    c.expect(
        len(set(service_urls)) == len(ids),
        f"service: {len(set(service_urls))} distinct URLs for {len(ids)} ids",
    )
    c.expect(
        len(set(service_keys)) == len(ids),
        f"service: {len(set(service_keys))} distinct keys for {len(ids)} ids: {sorted(map(str, set(service_keys)))}",
    )
    c.measure(api_urls=len(urls), service_urls=len(service_urls))


# --- 7 ---------------------------------------------------------------------------------------


def _convert(data: bytes, extension: str) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format=EXTENSION_FORMATS[extension])
        return buffer.getvalue()


def check_extensions(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    source = run.require_images()[0].data
    if source is None:
        c.fail("the first generated image did not decode; nothing to convert")
        return
    measured = {}
    for extension in s.extensions:
        extension = extension.lower()
        image_id = run.new_id(extension)
        local_path = run.workdir / "extensions" / f"{image_id}.{extension}"
        local_path.parent.mkdir(parents=True, exist_ok=True)
        data = _convert(source, extension)
        local_path.write_bytes(data)
        expected_key = s.standalone_key(image_id, extension)
        expected_type = EXTENSION_TYPES[extension]
        run.track(expected_key)
        upload_url = run.call("persist_character_reference", image_id, str(local_path), None)
        run.track(_key_of(upload_url, s.storage_bucket) or "")
        info = run.inspector.object_info(expected_key)
        if info is None:
            c.expect(False, f"{extension}: no object at {expected_key!r} after persist_character_reference")
        else:
            c.expect(
                info.content_type == expected_type,
                f"{extension}: object content type {info.content_type!r}, expected {expected_type!r}",
            )
            c.expect(info.sha256 == sha256_hex(data), f"{extension}: object bytes differ from the uploaded file")
        url = run.call("get_character_reference_url", image_id, extension)
        key = _key_of(url, s.storage_bucket)
        c.expect(
            key == expected_key,
            f"{extension}: get_character_reference_url names key {key!r}, expected {expected_key!r}",
        )
        fetched = run.fetch(url)
        served_type = fetched.headers.get("content-type", "").split(";")[0]
        c.expect(fetched.status_code == 200, f"{extension}: presigned GET answered {fetched.status_code}")
        if fetched.status_code == 200:
            c.expect(
                served_type == expected_type,
                f"{extension}: served as {served_type!r}, expected {expected_type!r}",
            )
        measured[extension] = {"key_ok": key == expected_key, "content_type": served_type}
    c.measure(extensions=measured)


# --- 8 ---------------------------------------------------------------------------------------


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
    for problem in verification.problems:
        c.expect(False, f"Location: {problem}")
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


# --- 9 ---------------------------------------------------------------------------------------


def check_fallback(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    api = run.cloud_api()
    if api is None:
        c.skip("the API serves locally; there is no cloud serving to fall back from")
        return
    if not s.admin_url and not s.fallback_check_live:
        c.skip("live mode: storage cannot be made unreachable from here (set fallback_check_live when it is)")
        return
    stored = run.require_images()[0]
    if s.admin_url:
        # Without cloud serving first, a locally served image would prove nothing about fallback.
        before = api.get_reference(stored.id)
        if not before.headers.get("content-type", "").startswith("application/json"):
            c.fail(f"before storage was cut the backend did not serve from cloud (HTTP {before.status_code})")
            return
        set_faults(s.admin_url, {"storage_unreachable": True})
    try:
        response = api.get_reference(stored.id)
    finally:
        if s.admin_url:
            set_faults(s.admin_url, {"storage_unreachable": None})
    content_type = response.headers.get("content-type", "").split(";")[0]
    c.measure(status=response.status_code, content_type=content_type)
    if response.status_code != 200:
        c.fail(
            f"storage unreachable: backend answered {response.status_code} instead of serving the image "
            f"locally: {response.text[:160]}"
        )
        return
    c.expect(
        content_type == "image/png",
        f"storage unreachable: fallback served {content_type!r}, expected image/png",
    )
    c.expect(
        stored.data is not None and sha256_hex(response.content) == sha256_hex(stored.data),
        "storage unreachable: fallback bytes differ from the generated image",
    )


# --- 10 --------------------------------------------------------------------------------------


def _files(base: Path) -> dict[str, str]:
    return {p.relative_to(base).as_posix(): sha256_hex(p.read_bytes()) for p in sorted(base.rglob("*")) if p.is_file()}


def check_job_association(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    images = run.require_images()
    source = images[0]
    if source.data is None:
        c.fail("the first generated image did not decode")
        return
    staging = run.workdir / "staging"
    staging.mkdir(parents=True, exist_ok=True)

    # Standalone vs job-associated persistence of one image file (the seed's script 3).
    standalone_id, job_ref_id = run.new_id("standalone"), run.new_id("jobref")
    job_id = run.job_id("job")
    for image_id in (standalone_id, job_ref_id):
        (staging / f"{image_id}.png").write_bytes(source.data)
    run.track(s.standalone_key(standalone_id), s.standalone_key(job_ref_id))
    run.call("persist_character_reference", standalone_id, str(staging / f"{standalone_id}.png"), None)
    run.call("persist_character_reference", job_ref_id, str(staging / f"{job_ref_id}.png"), job_id)
    c.expect(
        run.inspector.exists(s.standalone_key(standalone_id)),
        f"standalone upload: no object at {s.standalone_key(standalone_id)!r}",
    )
    c.expect(
        run.inspector.exists(s.job_key(job_id, job_ref_id)),
        f"job upload: no object at {s.job_key(job_id, job_ref_id)!r}",
    )
    c.expect(
        not run.inspector.exists(s.standalone_key(job_ref_id)),
        f"job upload landed under the standalone prefix ({s.standalone_key(job_ref_id)!r})",
    )

    # Associate generated images with a job folder (script 5), persist the job (script 6).
    job_dir = run.workdir / "job"
    job_dir.mkdir(parents=True, exist_ok=True)
    ids = [image.id for image in images]
    urls = run.call("associate_character_images_with_job", job_id, ids, str(job_dir))
    c.expect(len(urls) == len(ids), f"associate returned {len(urls)} URLs for {len(ids)} images")
    for image in images:
        local = job_dir / s.job_character_dir / f"{image.id}.png"
        c.expect(local.is_file(), f"associate did not place {image.id}.png in the job folder")
        c.expect(
            run.inspector.exists(s.job_key(job_id, image.id)),
            f"associate: no object at {s.job_key(job_id, image.id)!r}",
        )
    (job_dir / "job.json").write_text(f'{{"job_id": "{job_id}", "images": {len(ids)}}}')
    result = run.call("persist_job_assets", job_id, str(job_dir))
    references = result.get("character_references", []) if isinstance(result, dict) else []
    c.expect(
        len(references) == len(ids),
        f"persist_job_assets lists {len(references)} character_references for {len(ids)} in the job folder",
    )
    job_prefix = s.job_prefix.format(job_id=job_id) + s.job_character_dir + "/"
    reference_keys = [_key_of(url, s.storage_bucket) or str(url)[:80] for url in references]
    off_prefix = [key for key in reference_keys if not key.startswith(job_prefix)]
    c.expect(not off_prefix, f"character_references outside {job_prefix!r}: {off_prefix}")

    # Download the job and compare every file byte for byte (script 6, step 4).
    download_dir = run.workdir / "download"
    download_dir.mkdir(parents=True, exist_ok=True)
    run.call("download_job_assets", job_id, str(download_dir))
    uploaded, downloaded = _files(job_dir), _files(download_dir)
    missing = sorted(set(uploaded) - set(downloaded))
    differing = sorted(name for name in uploaded if name in downloaded and downloaded[name] != uploaded[name])
    c.expect(not missing, f"download_job_assets did not reproduce {missing}")
    c.expect(not differing, f"download_job_assets files differ from the originals: {differing}")
    c.measure(
        job_id=job_id,
        job_files=len(uploaded),
        downloaded_files=len(downloaded),
        character_references=len(references),
    )


# --- 11 --------------------------------------------------------------------------------------


def check_presign_benchmark(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    run.benchmark = run.run_async(
        benchmark_presign(run.service.get_character_reference_url, s.benchmark_counts, max_seconds=s.benchmark_max_s),
        timeout_s=s.benchmark_max_s * (len(s.benchmark_counts) + 1) + 30,
    )
    for bench in run.benchmark:
        row = bench.row()
        c.measure(**{f"ms_per_url_{bench.requested}": row["ms_per_url"], f"urls_{bench.requested}": row["urls"]})
        c.expect(
            not bench.stopped_early,
            f"{bench.requested} URLs: stopped after {bench.completed} at the {s.benchmark_max_s} s limit",
        )
        c.expect(
            float(row["ms_per_url"]) <= s.presign_budget_ms,
            f"{bench.requested} URLs: {row['ms_per_url']} ms per URL, budget {s.presign_budget_ms} ms",
        )
        not_v4 = sum(1 for url in bench.urls if parse_presigned_url(url).algorithm != SIGV4_ALGORITHM)
        c.expect(not_v4 == 0, f"{bench.requested} URLs: {not_v4} are not SigV4")
        c.expect(
            len(set(bench.urls)) == len(bench.urls),
            f"{bench.requested} URLs: duplicates among generated URLs",
        )


CHECK_FUNCTIONS: dict[str, Callable[[CheckContext, PersistenceRun], None]] = {
    "generate": check_generate,
    "local_get": check_local_get,
    "unknown_id": check_unknown_id,
    "cloud_get": check_cloud_get,
    "presigned_url": check_presigned_url,
    "uniqueness": check_uniqueness,
    "extensions": check_extensions,
    "redirect": check_redirect,
    "fallback": check_fallback,
    "job_association": check_job_association,
    "presign_benchmark": check_presign_benchmark,
}
