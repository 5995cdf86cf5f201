"""Reference character-reference backend (issue 3): the seed's API on real S3, with fault switches.

Owns the sandbox stand-in `refbackend` (FastAPI under uvicorn) and `AssetPersistenceService`, the
seed's Python persistence API that the notebook imports as the sandbox's "user service". The
backend reads the seed's environment variables (SERVE_FROM_CLOUD, STORAGE_BACKEND,
STORAGE_BUCKET, AWS_*, PRESIGNED_URL_EXPIRY) plus AWS_ENDPOINT_URL_S3 and CHARACTER_REFERENCE_DIR.
"""

from __future__ import annotations

from ._faults import FAULTS, faults
from ._persistence import AssetPersistenceService, CharacterReferenceNotFoundError, content_type_for
from ._service import SANDBOX_EXPIRY_S, service
from ._settings import JOB_CHARACTER_DIR, JOB_PREFIX, STANDALONE_PREFIX, Settings

__all__ = [
    "FAULTS",
    "JOB_CHARACTER_DIR",
    "JOB_PREFIX",
    "SANDBOX_EXPIRY_S",
    "STANDALONE_PREFIX",
    "AssetPersistenceService",
    "CharacterReferenceNotFoundError",
    "Settings",
    "content_type_for",
    "faults",
    "service",
]
