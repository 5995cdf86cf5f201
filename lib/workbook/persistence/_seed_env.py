"""The environment a platform's persistence service is started with (`_service_proc` hands it over
before the service's module is imported, as its settings are read at import).

The seed's manual scripts construct `AssetPersistenceService()` with no arguments and let it read
its configuration from the environment; the workbook does the same, exporting the seed's variables.
"""

from __future__ import annotations

# The seed's service API (methods the notebook calls).
SEED_METHODS = (
    "persist_character_reference",
    "associate_character_images_with_job",
    "get_character_reference_url",
    "persist_job_assets",
    "download_job_assets",
)


def seed_env(
    *,
    bucket: str,
    region: str,
    endpoint_url: str,
    access_key: str,
    secret_key: str,
    expiry_s: int,
    character_reference_dir: str = "",
) -> dict[str, str]:
    """The environment variables the seed documents for S3 serving (plus the SDK endpoint variable)."""
    env = {
        "SERVE_FROM_CLOUD": "true",
        "STORAGE_BACKEND": "s3",
        "STORAGE_BUCKET": bucket,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "PRESIGNED_URL_EXPIRY": str(expiry_s),
    }
    if endpoint_url:
        env["AWS_ENDPOINT_URL_S3"] = endpoint_url
    if character_reference_dir:
        env["CHARACTER_REFERENCE_DIR"] = character_reference_dir
    return env
