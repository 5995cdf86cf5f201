"""Workbook side of character-reference persistence (issue 3, notebook 10_persistence).

Owns the API client for the seed's `/api/mv/...` routes, the S3 inspector, the presigned-URL
inspector (parse, offline SigV4 verification, expiry arithmetic), the adapter that imports a
user's `AssetPersistenceService` by `module:Class`, the presign benchmark, and the eleven checks
the notebook runs. The same code runs against the sandbox and a live backend; only params change.
"""

from ._adapter import load_service, seed_env
from ._api import CharacterApi, GeneratedImage, GenerateResult, missing_cloud_fields
from ._bench import BenchmarkRun, benchmark_presign, benchmark_table, plot_benchmark, save_benchmark
from ._checks import (
    CHECK_FUNCTIONS,
    CHECKS,
    check_cloud_get,
    check_extensions,
    check_fallback,
    check_generate,
    check_job_association,
    check_local_get,
    check_presign_benchmark,
    check_presigned_url,
    check_redirect,
    check_uniqueness,
    check_unknown_id,
)
from ._errors import (
    ApiError,
    BackendUnreachableError,
    ParameterError,
    PersistenceError,
    PresignedUrlError,
    ServiceImportError,
)
from ._presign import (
    PresignedUrl,
    Verification,
    parse_presigned_url,
    sigv4_signature,
    tampered_signature,
    verify_presigned_url,
)
from ._s3 import ObjectInfo, S3Inspector, make_s3_client, sha256_hex
from ._session import PersistenceRun, PersistenceSettings

__all__ = [
    "CHECKS",
    "CHECK_FUNCTIONS",
    "ApiError",
    "BackendUnreachableError",
    "BenchmarkRun",
    "CharacterApi",
    "GenerateResult",
    "GeneratedImage",
    "ObjectInfo",
    "ParameterError",
    "PersistenceError",
    "PersistenceRun",
    "PersistenceSettings",
    "PresignedUrl",
    "PresignedUrlError",
    "S3Inspector",
    "ServiceImportError",
    "Verification",
    "benchmark_presign",
    "benchmark_table",
    "check_cloud_get",
    "check_extensions",
    "check_fallback",
    "check_generate",
    "check_job_association",
    "check_local_get",
    "check_presign_benchmark",
    "check_presigned_url",
    "check_redirect",
    "check_uniqueness",
    "check_unknown_id",
    "load_service",
    "make_s3_client",
    "missing_cloud_fields",
    "parse_presigned_url",
    "plot_benchmark",
    "save_benchmark",
    "seed_env",
    "sha256_hex",
    "sigv4_signature",
    "tampered_signature",
    "verify_presigned_url",
]
