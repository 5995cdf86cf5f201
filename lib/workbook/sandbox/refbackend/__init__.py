"""Reference character-reference backend: seed 001's backend (`very-bad-apples/mvp-1`, backend/) in its
own dialect on real S3, correct by default, with each of its real defects as a fault switch.

Owns the sandbox stand-in `refbackend` (two FastAPI apps under uvicorn: cloud and local serving over
one image folder; an API key on every /api/ route) and `AssetPersistenceService`, the seed's
persistence service with the real signatures, which notebook 10 runs in its own Python process as
the sandbox's "user service". Settings come from the real backend's environment variables
(SERVE_FROM_CLOUD, STORAGE_BACKEND, STORAGE_BUCKET, AWS_*, PRESIGNED_URL_EXPIRY, API_KEY) plus
AWS_ENDPOINT_URL_S3 and CHARACTER_REFERENCE_DIR.
"""

from __future__ import annotations

from ._faults import FAULTS, faults
from ._persistence import AssetPersistenceService
from ._service import API_KEY_ENV, SANDBOX_EXPIRY_S, service
from ._settings import JOB_CHARACTER_DIR, JOB_PREFIX, STANDALONE_PREFIX, Settings

__all__ = [
    "API_KEY_ENV",
    "FAULTS",
    "JOB_CHARACTER_DIR",
    "JOB_PREFIX",
    "SANDBOX_EXPIRY_S",
    "STANDALONE_PREFIX",
    "AssetPersistenceService",
    "Settings",
    "faults",
    "service",
]
