"""Serving checks: how the backend's HTTP API serves an image id (the serving mode seen from the
GET, what config/debug claims and leaks, local GET, unknown ids, fallback when storage is down)."""

from __future__ import annotations

import uuid

import httpx

from ..checks import CheckContext
from ._api import CharacterApi
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
            f"storage is configured (bucket {s.storage_bucket!r}) but service {run.api.name!r} serves images "
            f"locally ({observed.evidence}): every cloud check would be skipped; point backend_service at the "
            "SERVE_FROM_CLOUD=true deployment (and a local one at local_backend_service)",
        )
    elif observed.mode == "unknown":
        c.expect(False, f"cannot tell how service {run.api.name!r} serves images: {observed.evidence}")
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
            f"no locally-serving deployment: the backend serves from cloud ({run.serving_mode().evidence}) "
            "and local_backend_service is empty"
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
    c.measure(deployment=local.name, base_url=local.base_url, images=len(run.images))


def _detail(response: httpx.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("detail") if isinstance(body, dict) else None


def unknown_id_problems(run: PersistenceRun, api: CharacterApi) -> tuple[list[str], dict[str, object]]:
    """What one deployment answers for an id never generated (a UUID) and for a malformed one."""
    unknown = str(uuid.uuid4())
    response = api.get_reference(unknown)
    seen: dict[str, object] = {"unknown": response.status_code}
    problems = []
    if response.status_code == 200 and response.headers.get("content-type", "").startswith("application/json"):
        url = str((response.json() or {}).get("image_url", ""))
        fetched = run.fetch(url) if url else None
        seen["url_at_store"] = fetched.status_code if fetched is not None else None
        problems.append(
            f"{api.name}: unknown id {unknown} answered 200 with a presigned URL that answers "
            f"{seen['url_at_store']} at the store (no existence check before presigning), expected 404"
        )
    elif response.status_code != 404:
        problems.append(f"{api.name}: unknown id {unknown} answered {response.status_code}, expected 404")
    elif not _detail(response):
        problems.append(f"{api.name}: 404 for an unknown id carries no JSON detail")
    malformed = api.get_reference("not-an-image-id")
    seen["malformed"] = malformed.status_code
    if not 400 <= malformed.status_code < 500:
        problems.append(f"{api.name}: malformed id 'not-an-image-id' answered {malformed.status_code}, expected a 4xx")
    return problems, seen


def check_unknown_id(c: CheckContext, run: PersistenceRun) -> None:
    """Every configured deployment (cloud and local serving) answers an unknown id with 404 and a detail."""
    measured = {}
    for api in run.deployments():
        problems, seen = unknown_id_problems(run, api)
        measured[api.name] = seen
        c.expect_none(problems)
    c.measure(deployments=measured)


def check_fallback(c: CheckContext, run: PersistenceRun) -> None:
    stored = run.require_images()[0]
    if run.storage_switch is None:
        if not run.settings.fallback_check_live:
            c.skip("live mode: storage cannot be made unreachable from here (set fallback_check_live when it is)")
        c.note("storage unreachable as fallback_check_live states; this notebook did not cut it off")
        response = run.api.get_reference(stored.id)
        during = _url_status(run, response)
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
            during = _url_status(run, response)
    content_type = response.headers.get("content-type", "").split(";")[0]
    c.measure(status=response.status_code, content_type=content_type, url_status=during)
    if response.status_code == 200 and content_type == "application/json":
        if during == 200:
            c.skip("no outage seen: the backend handed out a presigned URL and the store served it")
        c.fail(
            "GET never contacts storage, so an outage yields a dead URL: with storage unreachable the backend "
            f"answered 200 with a presigned URL, and that URL answered {during} instead of the image being "
            "served locally"
        )
    if response.status_code != 200:
        c.fail(
            f"storage unreachable: backend answered {response.status_code} instead of serving the image "
            f"locally: {response.text[:160]}"
        )
    c.expect(
        content_type == "image/png",
        f"storage unreachable: fallback served {content_type!r}, expected image/png",
    )
    c.expect(
        stored.data is not None and sha256_hex(response.content) == sha256_hex(stored.data),
        "storage unreachable: fallback bytes differ from the generated image",
    )


def _url_status(run: PersistenceRun, response: httpx.Response) -> int | str | None:
    """What the store answers for the URL a JSON answer hands out (a refused connection is dead too)."""
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith("application/json"):
        return None
    url = str((response.json() or {}).get("image_url", ""))
    try:
        return run.fetch(url).status_code
    except httpx.TransportError as error:
        return f"no answer ({type(error).__name__})"
