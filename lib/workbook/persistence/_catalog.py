"""The checks of notebook 10 in the order it runs them: what each judges and what to do when it fails."""

from __future__ import annotations

from collections.abc import Callable

from ..checks import CheckContext, CheckSpec, Severity
from ._checks_generate import check_aspect_ratio, check_generate, check_invalid_input, check_output_formats
from ._checks_presign import check_cloud_get, check_presigned_url, check_redirect, check_uniqueness
from ._checks_service import check_extensions, check_job_association, check_presign_benchmark
from ._checks_serving import (
    check_config_secrets,
    check_fallback,
    check_local_get,
    check_serving_mode,
    check_unknown_id,
)
from ._session import PersistenceRun

# The parts of the platform a check judges: service profile names (the report's service x notebook matrix).
API = "refbackend"
LOCAL = "refbackend_local"
STORAGE = "s3"
# The persistence service is the backend's own code, run in its own Python.
SERVICE = "refbackend"

CHECKS: dict[str, CheckSpec] = {
    "generate": CheckSpec(
        title="1. generate returns num_images PNGs with unique UUIDs; base64 equals the bytes served",
        service=API,
        severity=Severity.CRITICAL,
        remedy="fix POST /api/mv/generate_character_reference: one PNG per requested image, unique UUID ids",
    ),
    "aspect_ratio": CheckSpec(
        title="2. a non-square aspect ratio gives an image of that ratio",
        service=API,
        severity=Severity.MAJOR,
        remedy="pass aspect_ratio through to the image model instead of a fixed size",
    ),
    "invalid_input": CheckSpec(
        title="3. invalid generate requests (num_images 0 / above max, empty description, bad ratio) answer 4xx, "
        "never 200 with zero images",
        service=API,
        severity=Severity.MAJOR,
        remedy="validate the request body (Field bounds, a Literal of ratios) and answer 422 with a detail",
    ),
    "serving_mode": CheckSpec(
        title="4. serving mode decided from what GET returns; config/debug agrees; the cloud checks run",
        service=API,
        severity=Severity.CRITICAL,
        remedy="point backend_service at the SERVE_FROM_CLOUD=true deployment and make config/debug report its mode",
    ),
    "config_secrets": CheckSpec(
        title="5. config/debug leaks no secret (known secret values, secret-looking keys with values)",
        service=API,
        severity=Severity.CRITICAL,
        remedy="show whether credentials are configured, never their values (at most the last 4 characters)",
    ),
    "local_get": CheckSpec(
        title="6. local GET returns identical bytes with image/png",
        service=LOCAL,
        severity=Severity.MAJOR,
        remedy="serve the stored file unchanged with Content-Type image/png when SERVE_FROM_CLOUD=false",
    ),
    "unknown_id": CheckSpec(
        title="7. every deployment answers an unknown id 404 with a detail (not a URL that 404s), a malformed one 4xx",
        service=API,
        severity=Severity.MINOR,
        remedy="answer 404 with a JSON detail for an id that was never generated",
    ),
    "cloud_get": CheckSpec(
        title="8. cloud GET: every field, a URL signed now; the object at cloud_path has the same sha256 and type",
        service=STORAGE,
        severity=Severity.CRITICAL,
        remedy="upload the image unchanged with ContentType image/png and report its real key as cloud_path",
    ),
    "presigned_url": CheckSpec(
        title="9. presigned URL: SigV4, set expiry, signed per request, verifies offline; 200, tampered/expired 403",
        service=STORAGE,
        severity=Severity.CRITICAL,
        remedy="presign on every request with Config(signature_version='s3v4') and ExpiresIn=PRESIGNED_URL_EXPIRY",
    ),
    "uniqueness": CheckSpec(
        title="10. different ids give different URLs and keys",
        service=STORAGE,
        severity=Severity.MAJOR,
        remedy="derive each object key from its image id",
    ),
    "extensions": CheckSpec(
        title="11. png/jpg/webp give the right keys, the ContentType sent and the content types served",
        service=SERVICE,
        severity=Severity.MAJOR,
        remedy="keep the file's extension in the key and send the matching ContentType on upload",
    ),
    "redirect": CheckSpec(
        title="12. redirect=true answers 302/303/307 to a presigned URL signed now, with the same bytes",
        service=API,
        severity=Severity.MAJOR,
        remedy="redirect temporarily (307) to a freshly presigned URL for the public storage host",
    ),
    "fallback": CheckSpec(
        title="13. storage unreachable: the backend falls back to local serving (not a dead presigned URL)",
        service=API,
        severity=Severity.MAJOR,
        remedy="check the object in storage (HEAD) before presigning, and serve the local file when storage fails",
    ),
    "job_association": CheckSpec(
        title="14. standalone vs job keys, associate, persist_job_assets, download_job_assets",
        service=SERVICE,
        severity=Severity.MAJOR,
        remedy="keep job assets under jobs/<job_id>/ and round-trip every file unchanged",
    ),
    "presign_benchmark": CheckSpec(
        title="15. presign benchmark: ms per URL for 100 and 1000 URLs",
        service=SERVICE,
        severity=Severity.MINOR,
        remedy="reuse one boto3 client; presigning is local computation and needs no network call",
        figures=("ms_per_url_100", "ms_per_url_1000"),
    ),
    "output_formats": CheckSpec(
        title="16. each output_format (png/jpg/webp): an image of that type whose cloud URL and cloud GET serve it",
        service=API,
        severity=Severity.MAJOR,
        remedy="presign the key the image was uploaded under (its real extension), not a hard-coded .png",
    ),
}

CHECK_FUNCTIONS: dict[str, Callable[[CheckContext, PersistenceRun], None]] = {
    "generate": check_generate,
    "aspect_ratio": check_aspect_ratio,
    "invalid_input": check_invalid_input,
    "serving_mode": check_serving_mode,
    "config_secrets": check_config_secrets,
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
    "output_formats": check_output_formats,
}
