"""Serving checks: what the backend's HTTP API hands out for an image id (generate, local GET,
unknown ids, fallback when storage is down)."""

from __future__ import annotations

import uuid

from ..checks import CheckContext
from ._inspect import is_uuid, png_problems, sha256_hex
from ._session import PersistenceRun, StoredImage


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
    not_uuid = [image_id for image_id in ids if not is_uuid(image_id)]
    c.expect(not not_uuid, f"ids that are not UUIDs: {not_uuid}")
    for stored in run.images:
        if stored.data is None:
            continue
        c.expect_none(f"image {stored.id} {problem}" for problem in png_problems(stored.data, s.aspect_ratio))
        served, how = _served_bytes(run, stored.id)
        c.expect(served is not None, f"image {stored.id}: could not fetch the served bytes ({how})")
        if served is not None:
            c.expect(
                sha256_hex(served) == sha256_hex(stored.data),
                f"image {stored.id}: base64 in the response differs from the bytes served ({how})",
            )


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


def check_fallback(c: CheckContext, run: PersistenceRun) -> None:
    api = run.cloud_api()
    if api is None:
        c.skip("the API serves locally; there is no cloud serving to fall back from")
        return
    if run.storage_switch is None and not run.settings.fallback_check_live:
        c.skip("live mode: storage cannot be made unreachable from here (set fallback_check_live when it is)")
        return
    stored = run.require_images()[0]
    if run.storage_switch is None:
        response = api.get_reference(stored.id)
    else:
        # Without cloud serving first, a locally served image would prove nothing about fallback.
        before = api.get_reference(stored.id)
        if not before.headers.get("content-type", "").startswith("application/json"):
            c.fail(f"before storage was cut the backend did not serve from cloud (HTTP {before.status_code})")
            return
        with run.storage_unreachable():
            response = api.get_reference(stored.id)
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
