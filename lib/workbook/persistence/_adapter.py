"""Import a user's persistence service by `module:Class` (its async API is called through `workbook.run_sync`).

The seed's manual scripts construct `AssetPersistenceService()` with no arguments and let it read
its configuration from the environment; the adapter does the same, optionally exporting the seed's
variables first, so the scripts run unchanged against a platform's own service.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._env import env_overlay
from ._errors import ServiceImportError

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


def load_service(import_path: str, sys_path_entry: str = "", env: Mapping[str, str] | None = None) -> Any:
    """Import `module:Class`, construct it with no arguments (as the seed does) and check its API."""
    module_name, _, class_name = import_path.partition(":")
    if not module_name or not class_name:
        raise ServiceImportError(
            f"service import path {import_path!r} must look like 'module.path:ClassName', "
            "e.g. 'services.asset_persistence:AssetPersistenceService'"
        )
    if sys_path_entry:
        entry = Path(sys_path_entry).expanduser().resolve()
        if not entry.is_dir():
            raise ServiceImportError(f"service sys.path entry {sys_path_entry!r} is not a directory")
        if str(entry) not in sys.path:
            sys.path.insert(0, str(entry))
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ServiceImportError(
            f"cannot import module {module_name!r} (sys.path entry {sys_path_entry!r}): {error}"
        ) from error
    service_class = getattr(module, class_name, None)
    if service_class is None:
        raise ServiceImportError(f"module {module_name!r} has no attribute {class_name!r}")
    try:
        with env_overlay(env or {}):
            service = service_class()
    except Exception as error:
        raise ServiceImportError(f"{import_path}() failed: {type(error).__name__}: {error}") from error
    missing = [name for name in SEED_METHODS if not callable(getattr(service, name, None))]
    if missing:
        raise ServiceImportError(f"{import_path} lacks the seed's method(s) {missing}")
    return service
