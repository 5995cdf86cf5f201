"""Generate checks: `POST generate_character_reference` as configured, with a second (non-square)
aspect ratio, with each output format, and with invalid requests that must be refused."""

from __future__ import annotations

from typing import Any

from ..checks import CheckContext
from ._api import GenerateResult
from ._errors import ApiError
from ._inspect import image_format, image_size, is_uuid, png_problems, sha256_hex
from ._session import PersistenceRun, StoredImage

ZERO_IMAGES = "answered 200 with zero images: the model's refusal was swallowed instead of reported"
SILENT_UPLOAD = "upload failed silently: cloud_url is null in a 200 from a deployment that serves from cloud"


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


def cloud_url_problems(run: PersistenceRun, label: str, url: str | None, data: bytes | None) -> list[str]:
    """A generated image's cloud_url on a cloud-serving deployment: present, and serving the same bytes."""
    if not url:
        return [f"{label}: {SILENT_UPLOAD}"]
    fetched = run.fetch(url)
    if fetched.status_code != 200:
        return [f"{label}: cloud_url answered {fetched.status_code} at the store"]
    if data is not None and sha256_hex(fetched.content) != sha256_hex(data):
        return [f"{label}: cloud_url serves other bytes than the generated image"]
    return []


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
    if not ids:
        c.fail(f"generate {ZERO_IMAGES} (asked for {s.num_images}; metadata {result.metadata})")
    serving = run.observe_serving()
    # A deployment seen or claiming to serve from cloud must have uploaded every image.
    cloud = serving.mode == "cloud" or run.claim.serves_from_cloud is True
    c.expect(len(ids) == s.num_images, f"expected {s.num_images} images, got {len(ids)}")
    generated = result.metadata.get("num_images_generated")
    c.expect(generated == len(ids), f"metadata.num_images_generated={generated!r}, images={len(ids)}")
    c.expect(len(set(ids)) == len(ids), f"ids are not unique: {len(set(ids))} distinct of {len(ids)}")
    not_uuid = [image_id for image_id in ids if not is_uuid(image_id)]
    c.expect(not not_uuid, f"ids that are not UUIDs: {not_uuid}")
    for stored in run.images:
        run.track(s.standalone_key(stored.id))
        if cloud:
            c.expect_none(cloud_url_problems(run, f"image {stored.id}", stored.image.cloud_url, stored.data))
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


def check_aspect_ratio(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    try:
        result = run.api.generate(s.character_description, 1, s.other_aspect_ratio)
    except ApiError as error:
        c.fail(f"generate with aspect_ratio {s.other_aspect_ratio!r} failed: {error}")
        return
    if not result.images:
        c.fail(f"aspect_ratio {s.other_aspect_ratio!r}: {ZERO_IMAGES}")
    c.expect(len(result.images) == 1, f"asked for 1 image at {s.other_aspect_ratio}, got {len(result.images)}")
    for image in result.images:
        run.track(s.standalone_key(image.id))
        try:
            data = image.decoded()
        except ValueError as error:
            c.expect(False, str(error))
            continue
        size = image_size(data)
        c.measure(aspect_ratio=s.other_aspect_ratio, size=f"{size[0]}x{size[1]}" if size else None)
        c.expect_none(f"image {image.id} {problem}" for problem in png_problems(data, s.other_aspect_ratio))


def _generate_format(c: CheckContext, run: PersistenceRun, fmt: str) -> GenerateResult | None:
    s = run.settings
    try:
        result = run.api.generate(s.character_description, 1, s.aspect_ratio, output_format=fmt)
    except ApiError as error:
        c.expect(False, f"{fmt}: generate with output_format {fmt!r} failed: {error}")
        return None
    for image in result.images:
        run.track(s.standalone_key(image.id, fmt))
    if not result.images:
        c.expect(False, f"{fmt}: {ZERO_IMAGES}")
        return None
    return result


def check_output_formats(c: CheckContext, run: PersistenceRun) -> None:
    """Each output_format: the image is of that type, its cloud URL and the cloud GET serve that type."""
    from ._settings import OUTPUT_FORMAT_TYPES

    s, measured = run.settings, {}
    cloud = run.cloud_api()
    for fmt in s.output_formats:
        result = _generate_format(c, run, fmt)
        if result is None:
            continue
        image, expected = result.images[0], OUTPUT_FORMAT_TYPES[fmt]
        try:
            data = image.decoded()
        except ValueError as error:
            c.expect(False, f"{fmt}: {error}")
            continue
        kind = image_format(data)
        c.expect(kind == expected, f"{fmt}: the generated image is {kind or 'not an image'}, expected {expected}")
        row: dict[str, Any] = {"generated": kind}
        if cloud is not None:
            c.expect_none(cloud_url_problems(run, f"{fmt}", image.cloud_url, data))
            row["cloud_get"] = _cloud_get_format(c, run, fmt, image.id, data, expected)
        local = run.local_api()
        if local is not None:
            response = local.get_reference(image.id)
            served = response.headers.get("content-type", "").split(";")[0]
            c.expect(response.status_code == 200, f"{fmt}: local GET answered {response.status_code}")
            if response.status_code == 200:
                c.expect(served == expected, f"{fmt}: local GET served {served!r}, expected {expected!r}")
            row["local_get"] = served or response.status_code
        measured[fmt] = row
    c.measure(formats=measured)


def _cloud_get_format(c: CheckContext, run: PersistenceRun, fmt: str, image_id: str, data: bytes, expected: str) -> str:
    s = run.settings
    response = run.api.get_reference(image_id)
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith("application/json"):
        c.expect(False, f"{fmt}: cloud GET answered {response.status_code} {response.headers.get('content-type')}")
        return str(response.status_code)
    body = response.json()
    fetched = run.fetch(str(body.get("image_url", "")))
    served = fetched.headers.get("content-type", "").split(";")[0]
    if fetched.status_code != 200:
        stored = s.standalone_key(image_id, fmt)
        where = f"the image is stored at {stored!r}" if run.inspector.exists(stored) else "no object was found"
        c.expect(
            False,
            f"{fmt}: cloud GET handed out a URL for {body.get('cloud_path')!r} that answered {fetched.status_code} "
            f"at the store; {where}",
        )
        return str(fetched.status_code)
    c.expect(served == expected, f"{fmt}: the cloud URL serves {served!r}, expected {expected!r}")
    c.expect(sha256_hex(fetched.content) == sha256_hex(data), f"{fmt}: the cloud URL serves other bytes")
    return served


def invalid_requests(run: PersistenceRun) -> dict[str, dict[str, Any]]:
    """Case name -> a generate body the backend must refuse (each differs from a valid one in one field)."""
    s = run.settings
    valid = {"character_description": s.character_description, "num_images": 1, "aspect_ratio": s.aspect_ratio}
    return {
        "num_images=0": {**valid, "num_images": 0},
        f"num_images={s.max_num_images + 1} (above max_num_images)": {**valid, "num_images": s.max_num_images + 1},
        "empty character_description": {**valid, "character_description": ""},
        "aspect_ratio='not-a-ratio'": {**valid, "aspect_ratio": "not-a-ratio"},
    }


def _has_detail(body: object) -> bool:
    return isinstance(body, dict) and bool(body.get("detail"))


def check_invalid_input(c: CheckContext, run: PersistenceRun) -> None:
    # Every answer passed connect.check_access: a 401/403 ends this check as error/auth before any
    # status is counted, so a refused key is never read as a validation refusal.
    statuses = {}
    for case, payload in invalid_requests(run).items():
        response = run.api.generate_raw(payload)
        statuses[case] = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if 200 <= response.status_code < 300:
            # Whatever an accepting backend made is this run's to clean up.
            images = body.get("images", []) if isinstance(body, dict) else []
            run.track(
                *(run.settings.standalone_key(str(image.get("id"))) for image in images if isinstance(image, dict))
            )
            what = ZERO_IMAGES if not images else "answered 200 (accepted an invalid request)"
            c.expect(False, f"{case}: {what}, expected a 4xx with a detail")
        elif not 400 <= response.status_code < 500:
            c.expect(False, f"{case}: answered {response.status_code}, expected a 4xx with a detail")
        else:
            c.expect(_has_detail(body), f"{case}: answered {response.status_code} without a JSON detail")
    refused = sum(1 for status in statuses.values() if 400 <= status < 500)
    c.measure(refused=refused, sent=len(statuses), statuses=statuses)
