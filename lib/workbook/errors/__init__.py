"""Every exception the workbook raises on purpose, in one place (the hierarchy is in `_errors`).

Capability packages define their own errors under WorkbookError (e.g. workbook.midjourney.MidjourneyError).
"""

from ._errors import (
    ParamsError,
    SandboxError,
    SecretMissingError,
    ServiceNotReadyError,
    SyncTimeoutError,
    UsageError,
    WorkbookError,
)

__all__ = [
    "ParamsError",
    "SandboxError",
    "SecretMissingError",
    "ServiceNotReadyError",
    "SyncTimeoutError",
    "UsageError",
    "WorkbookError",
]
