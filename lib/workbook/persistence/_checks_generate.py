"""Generate checks: `POST generate_character_reference` as configured, with a second (non-square)
aspect ratio, and with invalid requests that must be refused."""

from __future__ import annotations

from typing import Any

from ..checks import CheckContext
from ._errors import ApiError
from ._inspect import image_size, is_uuid, png_problems, sha256_hex
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
    if run.images:
        run.observe_serving()
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


def check_aspect_ratio(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    try:
        result = run.api.generate(s.character_description, 1, s.other_aspect_ratio)
    except ApiError as error:
        c.fail(f"generate with aspect_ratio {s.other_aspect_ratio!r} failed: {error}")
        return
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
            c.expect(
                False,
                f"{case}: answered {response.status_code} (accepted an invalid request), expected a 4xx with a detail",
            )
        elif not 400 <= response.status_code < 500:
            c.expect(False, f"{case}: answered {response.status_code}, expected a 4xx with a detail")
        else:
            c.expect(_has_detail(body), f"{case}: answered {response.status_code} without a JSON detail")
    refused = sum(1 for status in statuses.values() if 400 <= status < 500)
    c.measure(refused=refused, sent=len(statuses), statuses=statuses)
