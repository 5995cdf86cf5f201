"""The defects the reference backend can be switched into, each caught by a named notebook check."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._faults import FaultSwitches

# switch name -> (notebook check that must catch it, what goes wrong).
# The first group are the defects of seed 001's real backend (very-bad-apples/mvp-1 at 0c69d1f, file:line
# in ../shared/reference/real-platforms.md section 001); the rest are defects other backends show.
FAULTS: dict[str, tuple[str, str]] = {
    "sigv2_presign": ("presigned_url", "presigned URLs use SigV2 (a boto3 client without signature_version)"),
    "unknown_id_dead_url": ("unknown_id", "an unknown id answers 200 with a presigned URL that 404s at the store"),
    "get_skips_storage": ("fallback", "GET presigns without contacting storage: an outage yields a dead URL"),
    "download_restores_nothing": ("job_association", "download_job_assets lists one level (s3fs ls): no file"),
    "model_rejection_swallowed": ("invalid_input", "a generation the model rejects answers 200 with zero images"),
    "png_key_hardcoded": ("output_formats", "cloud GET presigns {id}.png whatever the image's format"),
    "upload_fails_silently": ("generate", "the upload during generate fails and the answer is 200, cloud_url null"),
    "unknown_id_500": ("unknown_id", "an unknown id answers 500 on the <value> deployment (local or cloud)"),
    # Defects other backends show.
    "non_unique_ids": ("generate", "generate returns the same id for every image"),
    "aspect_ratio_ignored": ("aspect_ratio", "every image is rendered 1:1 whatever aspect_ratio asks"),
    "lenient_generate": ("invalid_input", "generate accepts invalid requests (clamps num_images, defaults the rest)"),
    "bad_input_500": ("invalid_input", "an invalid generate request crashes with 500 instead of 4xx"),
    "serves_locally": ("serving_mode", "the cloud deployment serves image bytes although config/debug says cloud"),
    "debug_says_local": ("serving_mode", "config/debug reports SERVE_FROM_CLOUD false while serving from cloud"),
    "debug_leaks_secret": ("config_secrets", "config/debug includes AWS_SECRET_ACCESS_KEY with its value"),
    "base64_mismatch": ("generate", "the base64 in the generate response is not the stored image"),
    "corrupt_local_bytes": ("local_get", "local serving flips a byte of the image"),
    "wrong_local_content_type": ("local_get", "local serving sends application/octet-stream"),
    "wrong_cloud_path": ("cloud_get", "cloud_path reports a key under another prefix than the object's"),
    "wrong_object_content_type": ("cloud_get", "objects are uploaded as binary/octet-stream"),
    "corrupt_cloud_bytes": ("cloud_get", "the uploaded object differs from the local image"),
    "wrong_expiry": ("presigned_url", "URLs are presigned for 3600 s whatever PRESIGNED_URL_EXPIRY says"),
    "bad_signature": ("presigned_url", "URLs are signed with a stale secret key"),
    "cached_presign": ("presigned_url", "one presigned URL per key is cached and handed out forever"),
    "shared_cloud_key": ("uniqueness", "every image id maps to the same object key"),
    "extension_ignored": ("extensions", "the service ignores the extension: every key ends in .png"),
    "no_content_type": ("extensions", "uploads send no ContentType (SeaweedFS infers one; AWS would not)"),
    "redirect_bad_url": ("redirect", "redirect Location points at an internal host name"),
    "redirect_permanent": ("redirect", "redirect=true answers a permanent <value> redirect (301 or 308; default 301)"),
    "storage_unreachable": ("fallback", "not a defect: the backend's S3 client points at a dead endpoint"),
    "no_cloud_fallback": ("fallback", "with storage down the backend answers 502 instead of serving locally"),
    "job_wrong_prefix": ("job_association", "job-associated uploads land under the standalone prefix"),
    "job_missing_character_refs": ("job_association", "persist_job_assets skips character references"),
    "download_corrupt": ("job_association", "download_job_assets truncates files"),
    "slow_presign": ("presign_benchmark", "every presign waits <value> ms (default 50)"),
}


DEPLOYMENTS = ("local", "cloud")

# Switches that take a value: name -> (what is accepted, check).
VALUES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "slow_presign": ("true or a positive number of ms", lambda v: v is True or _positive(v)),
    "redirect_permanent": ("true, 301 or 308", lambda v: v is True or v in (301, 308)),
    "unknown_id_500": ("true (the local deployment), 'local' or 'cloud'", lambda v: v is True or v in DEPLOYMENTS),
}


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _checked(initial: Mapping[str, Any]) -> Mapping[str, Any]:
    for name, value in initial.items():
        if value is None or value is False:  # off
            continue
        accepted, ok = VALUES.get(name, ("true", lambda v: v is True))
        if name in FAULTS and not ok(value):
            raise ValueError(f"fault switch {name!r} takes {accepted}, got {value!r}")
    return initial


def new_switches() -> FaultSwitches:
    """Switches for this backend, starting from WORKBOOK_FAULTS."""
    return FaultSwitches(FAULTS, _checked(FaultSwitches.from_env()))


def faults(initial: Mapping[str, Any]) -> FaultSwitches:
    """The registry's validating constructor: these switches with `initial` set (names and values checked)."""
    return FaultSwitches(FAULTS, _checked(initial))
