"""Serving checks: how the backend's HTTP API serves an image id (the serving mode seen from the
GET, what config/debug claims and leaks, local GET, unknown ids, fallback when storage is down)."""

from __future__ import annotations

import uuid

from ..checks import CheckContext
from ._config import secret_problems, walk
from ._inspect import sha256_hex
from ._serving import observe_serving
from ._session import PersistenceRun


def check_serving_mode(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    observed, claim = run.serving_mode(), run.claim
    c.measure(
        serving=observed.mode, evidence=observed.evidence, config_key=claim.key, config_says=claim.serves_from_cloud
    )
    if observed.mode == "local":
        c.expect(
            False,
            f"storage is configured (bucket {s.storage_bucket!r}) but api_base_url serves images locally "
            f"({observed.evidence}): every cloud check would be skipped; point api_base_url at the "
            "SERVE_FROM_CLOUD=true deployment (and a local one at local_api_base_url)",
        )
    elif observed.mode == "unknown":
        c.expect(False, f"cannot tell how api_base_url serves images: {observed.evidence}")
    if claim.serves_from_cloud is None:
        c.note(f"{claim.why}; decided from the GET alone ({observed.evidence})")
    elif observed.mode != "unknown" and claim.serves_from_cloud != (observed.mode == "cloud"):
        c.expect(False, f"{claim.describe()} but {observed.evidence}: config/debug misreports the serving mode")


def check_config_secrets(c: CheckContext, run: PersistenceRun) -> None:
    config = run.config
    if config is None:
        c.fail("config/debug was never read (PersistenceRun.open reads it)")
        return
    known = run.known_secrets()
    c.measure(status=config.status, keys=sum(1 for _ in walk(config.body)), known_secrets_searched=len(known))
    c.expect_none(secret_problems(config, known))
    if config.body is None:
        c.note(f"{config.problem}: only its text was searched for known secrets")


def check_local_get(c: CheckContext, run: PersistenceRun) -> None:
    local = run.local_api()
    if local is None:
        c.skip(
            f"no locally-serving deployment: api_base_url serves from cloud ({run.serving_mode().evidence}) "
            "and local_api_base_url is empty"
        )
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
    stored = run.require_images()[0]
    if run.storage_switch is None:
        if not run.settings.fallback_check_live:
            c.skip("live mode: storage cannot be made unreachable from here (set fallback_check_live when it is)")
        c.note("storage unreachable as fallback_check_live states; this notebook did not cut it off")
        response = run.api.get_reference(stored.id)
    else:
        api = run.cloud_api()
        if api is None:
            c.skip(run.cloud_skip_reason())
            return
        # Without cloud serving first, a locally served image would prove nothing about fallback.
        before = observe_serving(api.get_reference(stored.id))
        if before.mode != "cloud":
            c.fail(f"before storage was cut the backend did not serve from cloud ({before.evidence})")
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
