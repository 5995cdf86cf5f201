"""The checks of notebook 10 in the order it runs them: what each judges and what to do when it fails."""

from __future__ import annotations

from collections.abc import Callable

from ..checks import CheckContext, CheckSpec, Severity
from ._checks_presign import check_cloud_get, check_presigned_url, check_redirect, check_uniqueness
from ._checks_service import check_extensions, check_job_association, check_presign_benchmark
from ._checks_serving import check_fallback, check_generate, check_local_get, check_unknown_id
from ._session import PersistenceRun

# The parts of the platform a check judges (the report's service x notebook matrix).
API = "character API"
STORAGE = "S3 storage"
SERVICE = "persistence service"

CHECKS: dict[str, CheckSpec] = {
    "generate": CheckSpec(
        title="1. generate returns num_images PNGs with unique UUIDs; base64 equals the bytes served",
        service=API,
        severity=Severity.CRITICAL,
        remedy="fix POST /api/mv/generate_character_reference: one PNG per requested image, unique UUID ids",
    ),
    "local_get": CheckSpec(
        title="2. local GET returns identical bytes with image/png",
        service=API,
        severity=Severity.MAJOR,
        remedy="serve the stored file unchanged with Content-Type image/png when SERVE_FROM_CLOUD=false",
    ),
    "unknown_id": CheckSpec(
        title="3. unknown id answers 404 with a detail",
        service=API,
        severity=Severity.MINOR,
        remedy="answer 404 with a JSON detail for an id that was never generated",
    ),
    "cloud_get": CheckSpec(
        title="4. cloud GET has every field; the object at cloud_path has the same sha256 and type",
        service=STORAGE,
        severity=Severity.CRITICAL,
        remedy="upload the image unchanged with ContentType image/png and report its real key as cloud_path",
    ),
    "presigned_url": CheckSpec(
        title="5. presigned URL: SigV4, set expiry, verifies offline; GET 200, tampered/expired 403",
        service=STORAGE,
        severity=Severity.CRITICAL,
        remedy="presign with Config(signature_version='s3v4') and ExpiresIn=PRESIGNED_URL_EXPIRY",
    ),
    "uniqueness": CheckSpec(
        title="6. different ids give different URLs and keys",
        service=STORAGE,
        severity=Severity.MAJOR,
        remedy="derive each object key from its image id",
    ),
    "extensions": CheckSpec(
        title="7. png/jpg/webp give the right keys and content types",
        service=SERVICE,
        severity=Severity.MAJOR,
        remedy="keep the file's extension in the key and send the matching ContentType",
    ),
    "redirect": CheckSpec(
        title="8. redirect=true answers 30x to a valid presigned URL with the same bytes",
        service=API,
        severity=Severity.MAJOR,
        remedy="redirect to the presigned URL exactly as signed, for the public storage host",
    ),
    "fallback": CheckSpec(
        title="9. storage unreachable: the backend falls back to local serving",
        service=API,
        severity=Severity.MAJOR,
        remedy="catch storage errors in get_character_reference and serve the local file",
    ),
    "job_association": CheckSpec(
        title="10. standalone vs job keys, associate, persist_job_assets, download_job_assets",
        service=SERVICE,
        severity=Severity.MAJOR,
        remedy="keep job assets under jobs/<job_id>/ and round-trip every file unchanged",
    ),
    "presign_benchmark": CheckSpec(
        title="11. presign benchmark: ms per URL for 100 and 1000 URLs",
        service=SERVICE,
        severity=Severity.MINOR,
        remedy="reuse one boto3 client; presigning is local computation and needs no network call",
    ),
}

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
