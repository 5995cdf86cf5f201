"""The defects the reference backend can be switched into, each caught by a named notebook check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._faults import FaultSwitches

# switch name -> (notebook check that must catch it, what goes wrong)
FAULTS: dict[str, tuple[str, str]] = {
    "non_unique_ids": ("generate", "generate returns the same id for every image"),
    "base64_mismatch": ("generate", "the base64 in the generate response is not the stored image"),
    "corrupt_local_bytes": ("local_get", "local serving flips a byte of the image"),
    "wrong_local_content_type": ("local_get", "local serving sends application/octet-stream"),
    "unknown_id_500": ("unknown_id", "an unknown id crashes with 500 instead of 404"),
    "wrong_cloud_path": ("cloud_get", "cloud_path reports a key under another prefix than the object's"),
    "wrong_object_content_type": ("cloud_get", "objects are uploaded as binary/octet-stream"),
    "corrupt_cloud_bytes": ("cloud_get", "the uploaded object differs from the local image"),
    "sigv2_presign": ("presigned_url", "presigned URLs use SigV2 (boto3's default without s3v4 config)"),
    "wrong_expiry": ("presigned_url", "URLs are presigned for 3600 s whatever PRESIGNED_URL_EXPIRY says"),
    "bad_signature": ("presigned_url", "URLs are signed with a stale secret key"),
    "shared_cloud_key": ("uniqueness", "every image id maps to the same object key"),
    "extension_ignored": ("extensions", "the extension is ignored: every key ends in .png"),
    "redirect_bad_url": ("redirect", "redirect Location points at an internal host name"),
    "storage_unreachable": ("fallback", "not a defect: the S3 client points at a dead endpoint"),
    "no_cloud_fallback": ("fallback", "with storage down the backend answers 502 instead of serving locally"),
    "job_wrong_prefix": ("job_association", "job-associated uploads land under the standalone prefix"),
    "job_missing_character_refs": ("job_association", "persist_job_assets skips character references"),
    "download_corrupt": ("job_association", "download_job_assets truncates files"),
    "slow_presign": ("presign_benchmark", "every presign waits <value> ms (default 50)"),
}


def new_switches() -> FaultSwitches:
    """Switches for this backend, starting from WORKBOOK_FAULTS."""
    return FaultSwitches(FAULTS)


def faults(initial: Mapping[str, Any]) -> FaultSwitches:
    """The registry's validating constructor: these switches with `initial` set."""
    return FaultSwitches(FAULTS, initial)
