"""Workbook side of character-reference persistence (issue 3, notebook 10_persistence).

Owns the API client (`_api`, its connection from the service profiles, its routes from one dialect
in `_dialects/`, `mvp1` = seed 001's backend by default), the S3 inspector (`_s3`) and the store-side
verification of uploads (`_uploads`), the presigned-URL inspector (`_presign`: parse, offline SigV4
verification, expiry arithmetic), the byte and key inspectors (`_inspect`), the platform's
`AssetPersistenceService` run in its own Python across a JSON-lines boundary (`_service_proc`, which
executes `_service_runner.py` with `service_python`; `_seed_env` is the environment it starts
with), the presign benchmark (`_bench`), the run (`_session`) and
settings (`_settings`), config/debug reading (`_config`), the serving-mode decision (`_serving`),
and the checks the notebook runs: generate (`_checks_generate`), serving (`_checks_serving`),
presigned URLs (`_checks_presign`) and the in-process service (`_checks_service`), declared in
`_catalog`.
The same code runs against the sandbox and a live backend; only params change.
"""

from ._bench import plot_benchmark, save_benchmark_table
from ._catalog import CHECKS
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
from ._errors import PersistenceError
from ._session import PersistenceRun
from ._settings import PersistenceSettings

__all__ = [
    "CHECKS",
    "PersistenceError",
    "PersistenceRun",
    "PersistenceSettings",
    "check_aspect_ratio",
    "check_cloud_get",
    "check_config_secrets",
    "check_extensions",
    "check_fallback",
    "check_generate",
    "check_invalid_input",
    "check_job_association",
    "check_local_get",
    "check_output_formats",
    "check_presign_benchmark",
    "check_presigned_url",
    "check_redirect",
    "check_serving_mode",
    "check_uniqueness",
    "check_unknown_id",
    "plot_benchmark",
    "save_benchmark_table",
]
